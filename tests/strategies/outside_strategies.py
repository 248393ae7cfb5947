"""Strategies from outside itas, reached by dotted paths in the registry tests."""
from strategies.registry import StrategyParts, reject_params


def frozen_head(ctx, params):
    """A strategy without a memory: nothing but its parameter check."""
    reject_params("frozen_head", params)
    return StrategyParts()


def buffered(ctx, params):
    """A strategy that keeps a memory under the run's budget (the flag says so)."""
    return StrategyParts(memory=None)


buffered.uses_memory = True


def not_parts(ctx, params):
    return {"plugins": []}
