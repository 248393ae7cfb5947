"""GDumb (Prabhu, Torr, Dokania, ECCV 2020) for TAS: an EXTENSION, not in P or T.

A greedy class-balanced memory, and a model that learns from the memory alone: when a task
arrives its videos enter the memory, the model is reset to its initial weights (and Adam's moments
cleared), then trained from scratch on everything the memory holds.
Adapted: GDumb balances single-label samples; a video holds frames of several classes, so the
greedy rule here balances frames: a task's candidate videos (ranked by the run's `selection`, as
every memory) are reordered by repeatedly taking the first video that contains the class with the
fewest frames taken so far (ties: lowest class id). The memory keeps a prefix of that order under
the run's budget, split equally over the seen tasks like every memory, so shrinking shares evict
from the tail and keep the balance. Avalanche's GDumbPlugin balances per-sample `targets`, which
here hold the task index, not frame classes, hence this plugin.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from avalanche.core import SupervisedPlugin

from replay.exemplars import OriginalMemory
from replay.memory import MemoryContext
from strategies.benchmark import video_dataset
from strategies.registry import StrategyContext, StrategyParts, register
from strategies.replay_baselines import split_params
from tasks.video import Video


def class_balanced_order(videos: Sequence[Video], order: Sequence[int]) -> list[int]:
    """`order` (indices of `videos`) reordered greedily so that frames per class stay balanced."""
    counts: dict[int, int] = {}
    remaining = list(order)
    classes = {i: np.bincount(videos[i].labels) for i in remaining}
    balanced = []
    while remaining:
        present = sorted({int(c) for i in remaining for c in np.flatnonzero(classes[i])})
        target = min(present, key=lambda c: (counts.get(c, 0), c))
        pick = next(i for i in remaining if target < len(classes[i]) and classes[i][target] > 0)
        remaining.remove(pick)
        balanced.append(pick)
        for c in np.flatnonzero(classes[pick]):
            counts[int(c)] = counts.get(int(c), 0) + int(classes[pick][c])
    return balanced


class ClassBalancedMemory(OriginalMemory):
    """`original` with GDumb's greedy class-balanced ranking."""

    def rank(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> list[int]:
        return class_balanced_order(videos, super().rank(task, videos, ctx))


class GDumbPlugin(SupervisedPlugin):
    def __init__(self, memory: ClassBalancedMemory, ctx: StrategyContext):
        super().__init__()
        self.memory = memory
        self.train_videos = ctx.train_videos
        self.num_classes, self.seed, self.precision = ctx.num_classes, ctx.seed, ctx.precision
        self.initial: dict = {}  # the model's weights before the first task (a plain state dict)

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        ctx = MemoryContext(strategy.device, self.num_classes, self.seed, precision=self.precision)
        self.memory.add_task(task, list(self.train_videos[task]), ctx)
        strategy.adapted_dataset = video_dataset(self.memory.replay(strategy.device))

    def before_training_exp(self, strategy, **kwargs) -> None:
        if not self.initial:
            self.initial = {name: value.detach().clone() for name, value in strategy.model.state_dict().items()}
        strategy.model.load_state_dict(self.initial)
        strategy.optimizer.state.clear()


@register("gdumb", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: the memory's selection, gamma, seed."""
    _, memory_params = split_params("gdumb", ctx, params, ())
    memory = ClassBalancedMemory(ctx.budget, **memory_params)
    return StrategyParts(plugins=[GDumbPlugin(memory, ctx)], memory=memory)
