"""submitit executors for `itas run --executor`: SLURM on a cluster, local processes elsewhere."""
from __future__ import annotations

import itertools
import multiprocessing
import shutil
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


def require_slurm_commands() -> None:
    """DataError naming the first SLURM client command missing from PATH."""
    for command in ("sbatch", "squeue", "srun", "scontrol"):
        if shutil.which(command) is None:
            raise DataError(f"--executor slurm: no '{command}' command on PATH (run where SLURM's client "
                            "tools are installed, or start a local SLURM: bash benchmarks/cluster/local_slurm.sh start)")


def slurm_cpus(cfg: dict) -> int:
    """CPUs per SLURM job: cluster.cpus_per_task, else train.threads, else one (small models train
    fastest on one thread)."""
    return cfg["cluster"]["cpus_per_task"] or cfg["train"]["threads"] or 1


def slurm_parameters(cfg: dict, timeout_min: int) -> dict:
    """submitit's parameters for every job of the sweep, from the config's `cluster` section; a key
    left null (or `gpus: 0`) writes no sbatch line, so the cluster's default applies."""
    cluster = cfg["cluster"]
    params = {"timeout_min": timeout_min, "cpus_per_task": slurm_cpus(cfg), "nodes": 1, "tasks_per_node": 1,
              "name": "itas", "slurm_signal_delay_s": cluster["signal_delay_s"]}
    if cluster["gpus"]:
        params["gpus_per_node"] = cluster["gpus"]
    if cluster["mem_gb"] is not None:
        params["mem_gb"] = cluster["mem_gb"]
    for key in ("partition", "account", "qos", "constraint", "array_parallelism"):
        if cluster[key] is not None:
            params[f"slurm_{key}"] = cluster[key]
    extra = {key: value for key, value in cluster["extra"].items() if value is not False}
    if extra:
        params["slurm_additional_parameters"] = extra
    return params


def make_executor(kind: str, folder: Path, cfg: dict, timeout_min: int = 240, jobs: int = 1):
    """None for `inline` with one job (this process); a process pool for `inline` with several
    jobs; a configured submitit executor otherwise (SLURM: from the config's `cluster` section)."""
    if kind == "inline":
        return ProcessPool(jobs) if jobs > 1 else None
    if kind not in EXECUTORS:
        raise DataError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {kind!r}")
    if kind == "local":
        executor = submitit.LocalExecutor(folder=folder)
        executor.update_parameters(timeout_min=timeout_min)
        return executor
    require_slurm_commands()
    executor = submitit.AutoExecutor(folder=folder, cluster="slurm")
    executor.update_parameters(**slurm_parameters(cfg, timeout_min))
    return executor
