"""Replay strategies: one registered name per replay memory (original, mean, coreset, and the latent
memories), each a ReplayPlugin over the memory of the same name under the run's budget."""
from __future__ import annotations

from replay.registry import MEMORIES, make_memory
from strategies.registry import StrategyContext, StrategyParts, register
from strategies.replay_plugin import ReplayPlugin


def _builder(name: str):
    def build(ctx: StrategyContext, params: dict) -> StrategyParts:
        memory = make_memory(name, ctx.budget, seed=ctx.seed, **params)
        plugin = ReplayPlugin(memory, ctx.train_videos, ctx.num_classes, ctx.seed, ctx.progress, ctx.tca_cache,
                              ctx.precision)
        return StrategyParts(plugins=[plugin], memory=memory)

    return build


for _name in MEMORIES:
    register(_name, uses_memory=True)(_builder(_name))
