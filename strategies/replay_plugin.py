"""ReplayPlugin: a replay.Memory stands in for old data.

Before each task's training, `memory.replay(device)` materialises the stored videos of every past
task (decoded on the strategy's device for latent memories) and they join the new task's data; after
training, `memory.add_task` stores the finished task under the budget.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from avalanche.core import SupervisedPlugin

from replay.memory import Memory, MemoryContext
from strategies.benchmark import video_dataset
from strategies.progress import ProgressFile
from tasks.video import Video


class ReplayPlugin(SupervisedPlugin):
    def __init__(self, memory: Memory, train_videos: Sequence[Sequence[Video]], num_classes: int,
                 seed: int, progress: bool = False, tca_cache: Path | None = None, precision: str = "fp32"):
        super().__init__()
        self.memory = memory
        self.train_videos = train_videos
        self.num_classes = num_classes
        self.seed = seed
        self.progress = progress
        self.tca_cache = tca_cache
        self.precision = precision
        self.replayed_videos = 0

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        replayed = self.memory.replay(strategy.device)
        self.replayed_videos = len(replayed)
        if replayed:
            strategy.adapted_dataset = strategy.adapted_dataset.concat(video_dataset(replayed))

    def after_training_exp(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        # A ProgressFile among the strategy's plugins hears the memory's long phases (TCA, inversion).
        files = [plugin for plugin in strategy.plugins if isinstance(plugin, ProgressFile)]
        ctx = MemoryContext(strategy.device, self.num_classes, self.seed, self.progress, self.tca_cache,
                            self.precision, files[0].phase if files else None)
        self.memory.add_task(task, list(self.train_videos[task]), ctx)
