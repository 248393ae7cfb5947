"""Live progress of runs that train in other processes (`--jobs` > 1, `--executor local|slurm`).

Each run writes progress/<run>.json after every epoch, and during a memory's long phases after
the epochs (TCA training, inversion) their steps (strategies.progress.ProgressFile); the parent
polls those files while it waits and shows one bar per running run — its task, epoch and an ETA —
under the summary bar that counts finished runs. Without progress only the status lines print.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Sequence

from tqdm.auto import tqdm

POLL_SECONDS = 1.0


def progress_path(out_dir: Path, key: str) -> Path:
    return out_dir / "progress" / f"{key}.json"


def read_progress(path: Path) -> dict | None:
    """The last position a run wrote, or None before its first epoch (files are replaced atomically,
    so a read never sees half a file)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def epochs_done(position: dict) -> int:
    return position["task"] * position["epochs"] + position["epoch"]


def position_text(position: dict) -> str:
    """'task 3/10 epoch 15/15', or after the epochs a memory's phase: 'task 3/10 TCA 120/500'."""
    task = f"task {position['task'] + 1}/{position['tasks']}"
    if "phase" in position:
        return f"{task} {position['phase']} {position['step']}/{position['steps']}"
    return f"{task} epoch {position['epoch']}/{position['epochs']}"


class RunBars:
    """One tqdm bar per running run, counting its epochs over all tasks (tqdm's rate gives the ETA)."""

    def __init__(self, out_dir: Path, enabled: bool):
        self.out_dir, self.enabled = out_dir, enabled
        self.bars: dict[str, tqdm] = {}

    def refresh(self, keys: Sequence[str]) -> None:
        if not self.enabled:
            return
        for key in keys:
            position = read_progress(progress_path(self.out_dir, key))
            if position is None:
                continue
            done = epochs_done(position)
            bar = self.bars.get(key)
            if bar is None:
                bar = self.bars[key] = tqdm(total=position["tasks"] * position["epochs"], initial=done,
                                            desc=key, unit="epoch", leave=False, position=len(self.bars) + 1)
            bar.update(done - bar.n)
            bar.set_postfix_str(position_text(position))

    def finish(self, key: str) -> None:
        bar = self.bars.pop(key, None)
        if bar is not None:
            bar.close()
        progress_path(self.out_dir, key).unlink(missing_ok=True)

    def close(self) -> None:
        for key in list(self.bars):
            self.finish(key)
        remove_empty(self.out_dir / "progress")


def remove_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def wait_for_jobs(jobs: dict, out_dir: Path, progress: bool, on_done: Callable[[str, object], None],
                  poll_seconds: float = POLL_SECONDS, poll: Callable[[dict], None] | None = None) -> None:
    """Poll `jobs` ({run key: a submitit job or future, with done()}) until all are done, calling
    `on_done(key, job)` for each as it finishes and `poll(remaining)` after every look (either may
    raise to stop the wait)."""
    remaining = dict(jobs)
    bars = RunBars(out_dir, progress)
    summary = tqdm(total=len(jobs), desc="runs", unit="run", disable=not progress)
    try:
        while remaining:
            for key in [k for k, job in remaining.items() if job.done()]:
                bars.finish(key)
                on_done(key, remaining.pop(key))
                summary.update()
            bars.refresh(list(remaining))
            if poll is not None and remaining:
                poll(remaining)
            if remaining:
                time.sleep(poll_seconds)
    finally:
        bars.close()
        summary.close()
