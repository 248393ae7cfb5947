"""The contract every replay memory fulfils (docs: "Budgets and bytes", "Your memory in 30 lines").

A memory is told about each finished task (`add_task`), materialises replay videos for the next
task (`replay`) and reports exactly what it holds, in bytes, by component (`nbytes`, and per task
`nbytes_by_task`, the rows of memory.csv). Before anything trains, `check_feasible` says whether the
budget can hold every task. `replay.stored.SelectedVideoMemory` implements all of it for memories
that keep selected videos per task, and checks a subclass's byte counts against what it holds.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

import torch

from tasks.video import Video

COMPONENTS = ("features", "codes", "transcripts", "decoders", "noise", "other")


@dataclass
class MemoryContext:
    """What a memory may need from the run when a task ends.

    device: where tensor work happens (decoding, inversion, TCA training).
    num_classes: size of the label space (one-hot width of TCA conditions).
    seed: the run's seed; memories derive their own generators from it.
    progress: show tqdm bars on long loops.
    tca_cache: folder where memories share trained TCAs (replay.tca_cache); None: each trains its own.
    precision: the run's train.precision (tasks.precision), for TCA training.
    report: `report(phase, done, total)` after each step of a long phase (TCA training, inversion), for
        a parent process's live view (strategies.progress.ProgressFile); None: nobody listens.
    """

    device: torch.device
    num_classes: int
    seed: int = 0
    progress: bool = False
    tca_cache: Path | None = None
    precision: str = "fp32"
    report: Callable[[str, int, int], None] | None = None


@runtime_checkable
class Memory(Protocol):
    def add_task(self, task: int, videos: list[Video], ctx: MemoryContext) -> None:
        """Called after training `task` on its training videos; may evict older tasks' videos."""

    def replay(self, device: torch.device) -> list[Video]:
        """Materialise the replay videos of every stored task (features as float32 numpy)."""

    def nbytes(self) -> dict[str, int]:
        """Exact bytes held, by component (keys: COMPONENTS), from the arrays actually stored."""

    def nbytes_by_task(self) -> dict[int, dict[str, int]]:
        """Per stored task, its exact bytes by component: one memory.csv row per task and component."""

    def stored(self) -> dict[int, dict[str, int]]:
        """Per stored task: {"videos": n, "frames": n} — feeds memory.csv."""

    def check_feasible(self, task_videos: Sequence[Sequence[Video]], ctx: MemoryContext | None = None) -> None:
        """Raise tasks.DataError, before training, if the budget cannot hold every task's videos
        (`task_videos`: every task's training videos, in order)."""
