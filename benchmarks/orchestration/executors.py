"""submitit executors for `itas run --executor`: SLURM on a cluster, local processes elsewhere."""
from __future__ import annotations

import itertools
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import submitit

from tasks.errors import DataError

EXECUTORS = ("inline", "local", "slurm")


class ProcessPool:
    """`jobs` runs at a time in spawned local processes, with submitit's executor interface
    (`batch`, `submit` → a future with `job_id` and `result()`), so the runner treats it alike."""

    def __init__(self, jobs: int):
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
        self._ids = itertools.count()

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def submit(self, fn: Callable, *args) -> Future:
        future = self._pool.submit(fn, *args)
        future.job_id = f"process {next(self._ids)}"
        return future

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_executor(kind: str, folder: Path, partition: str | None = None, gpus: int = 0,
                  timeout_min: int = 240, cpus: int = 4, jobs: int = 1):
    """None for `inline` with one job (this process); a process pool for `inline` with several
    jobs; a configured submitit executor otherwise."""
    if kind == "inline":
        return ProcessPool(jobs) if jobs > 1 else None
    if kind not in EXECUTORS:
        raise DataError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {kind!r}")
    if kind == "local":
        executor = submitit.LocalExecutor(folder=folder)
        executor.update_parameters(timeout_min=timeout_min)
        return executor
    executor = submitit.AutoExecutor(folder=folder, cluster="slurm")
    params = {"timeout_min": timeout_min, "cpus_per_task": cpus, "gpus_per_node": gpus, "nodes": 1,
              "tasks_per_node": 1, "name": "itas"}
    if partition:
        params["slurm_partition"] = partition
    executor.update_parameters(**params)
    return executor
