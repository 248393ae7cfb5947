"""finetune: train on each new task only — the lower bound that shows catastrophic forgetting."""
from strategies.registry import StrategyContext, StrategyParts, register, reject_params


@register("finetune")
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    reject_params("finetune", params)
    return StrategyParts()
