"""Progress of long training loops: a bar in this process, or a file for a parent process."""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

from avalanche.core import SupervisedPlugin
from tqdm.auto import tqdm

from tasks.atomic_files import write_text_atomically

PHASE_SECONDS = 0.5  # the parent polls every second


class EpochProgress(SupervisedPlugin):
    """A tqdm bar per task, advanced each epoch, showing the running loss."""

    def __init__(self, label: str, n_tasks: int):
        super().__init__()
        self.label, self.n_tasks, self.bar = label, n_tasks, None

    def before_training_exp(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        self.bar = tqdm(total=strategy.train_epochs, desc=f"{self.label} task {task + 1}/{self.n_tasks}",
                        unit="epoch", leave=False)

    def after_training_epoch(self, strategy, **kwargs) -> None:
        self.bar.set_postfix(loss=f"{float(strategy.loss.detach()):.3f}")
        self.bar.update()

    def after_training_exp(self, strategy, **kwargs) -> None:
        self.bar.close()


class ProgressFile(SupervisedPlugin):
    """The run's position — task, epochs done in it, their totals — written atomically to `path` at
    the start of every task and after every epoch, for a parent process that shows runs training
    in other processes (benchmarks.orchestration.live_progress). After a task's epochs, a memory's
    long phases (TCA training, inversion) report their steps through `phase`, so the parent's bar
    does not stand still at the last epoch."""

    def __init__(self, path: Path, n_tasks: int, min_seconds: float = PHASE_SECONDS):
        super().__init__()
        self.path, self.n_tasks, self.min_seconds = Path(path), n_tasks, min_seconds
        self.position: dict = {}
        self.written = -math.inf
        self.start: tuple[float, int] | None = None  # (time, epochs done) when this process began

    def _write(self, strategy, epoch: int) -> None:
        task, epochs = strategy.experience.current_experience, strategy.train_epochs
        done, now = task * epochs + epoch, time.time()
        if self.start is None:
            self.start = (now, done)
        # `since`/`from`: this process's own pace (a resumed run starts mid-way), for an ETA
        self.position = {"task": task, "tasks": self.n_tasks, "epoch": epoch, "epochs": epochs,
                         "time": now, "since": self.start[0], "from": self.start[1]}
        write_text_atomically(self.path, json.dumps(self.position))

    def phase(self, name: str, done: int, total: int) -> None:
        """`done` of `total` steps of phase `name` after the task's epochs; written at most every
        `min_seconds` (a TCA epoch can take milliseconds), and always at the phase's last step."""
        now = time.monotonic()
        if not self.position or (now - self.written < self.min_seconds and done < total):
            return
        self.written = now
        write_text_atomically(self.path, json.dumps({**self.position, "phase": name, "step": done, "steps": total}))

    def before_training_exp(self, strategy, **kwargs) -> None:
        self.epoch = 0
        self._write(strategy, self.epoch)

    def after_training_epoch(self, strategy, **kwargs) -> None:
        self.epoch += 1
        self._write(strategy, self.epoch)
