"""joint: at each task, train on the union of all tasks seen so far — the upper bound.

Warm-started like Avalanche's `Cumulative`: the model continues from the previous task.
"""
from __future__ import annotations

from avalanche.core import SupervisedPlugin

from strategies.registry import StrategyContext, StrategyParts, register, reject_params


class CumulativeDataPlugin(SupervisedPlugin):
    def __init__(self):
        super().__init__()
        self.seen = None

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        current = strategy.experience.dataset
        self.seen = current if self.seen is None else self.seen.concat(current)
        strategy.adapted_dataset = self.seen


@register("joint")
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    reject_params("joint", params)
    return StrategyParts(plugins=[CumulativeDataPlugin()])
