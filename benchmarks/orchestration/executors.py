"""Executors for `itas run --executor`: a local process pool, submitit's local processes, or a SLURM
job array built from the config's `cluster` section."""
from __future__ import annotations

import contextlib
import io
import itertools
import multiprocessing
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

import submitit
from submitit.core.utils import FailedJobError
from tqdm.auto import tqdm

from benchmarks.cluster.queue import SlurmRequest, never_starts, reason_text, request_advice, watch_with_squeue
from tasks.errors import DataError

EXECUTORS = ("inline", "local", "slurm")


class ProcessPool:
    """`jobs` runs at a time in spawned local processes, with submitit's executor interface
    (`batch`, `submit` → a future with `job_id` and `result()`), so the runner treats it alike."""

    kind = "inline"

    def __init__(self, jobs: int):
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
        self._ids = itertools.count()

    @contextlib.contextmanager
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
    return SlurmSweep(folder, cfg, timeout_min)


class SlurmSweep:
    """submitit's SLURM executor for one sweep: the runs go out as one job array whose states come
    from squeue (benchmarks.cluster.queue); a request that no node fits is an error naming the key to
    change, and a job pending for another reason is said (once per reason) after `patience_s`."""

    kind = "slurm"

    def __init__(self, folder: Path, cfg: dict, timeout_min: int, patience_s: float = 60):
        require_slurm_commands()
        # A job checkpoints after every task, so each time limit it meets costs at most one task; past
        # one requeue per task it is not advancing (a task longer than the limit) and gives up.
        self.executor = submitit.AutoExecutor(folder=folder, cluster="slurm",
                                              slurm_max_num_timeout=cfg["protocol"]["tasks"])
        self.executor.update_parameters(**slurm_parameters(cfg, timeout_min))
        cluster = cfg["cluster"]
        self.request = SlurmRequest(slurm_cpus(cfg), cluster["mem_gb"], cluster["gpus"], timeout_min,
                                    cluster["partition"], cluster["constraint"])
        self.jobs: list = []
        self.patience_s, self.start = patience_s, time.monotonic()
        self.said: dict[str, str] = {}

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        try:
            # submitit echoes a refusing sbatch's stderr; its words come back once, in the error below
            with contextlib.redirect_stderr(io.StringIO()), self.executor.batch():
                yield
        except FailedJobError as err:  # sbatch refused the array; its own words, then what to change
            said = [line.strip() for line in str(err).splitlines() if "error" in line] or [str(err).strip()]
            raise DataError(f"sbatch refused the jobs ({said[0].removeprefix('sbatch: error: ')}): "
                            f"{request_advice(self.request)}") from None
        watch_with_squeue(self.jobs)

    def submit(self, fn: Callable, *args):
        job = self.executor.submit(fn, *args)
        self.jobs.append(job)
        return job

    def poll(self, jobs: dict) -> None:
        """Between polls of the runner: {run key: job} of the jobs not done yet."""
        for key, job in jobs.items():
            info = job.get_info(mode="cache")
            reason = info.get("Reason", "")
            if info.get("State") != "PENDING" or not reason or reason == "None":
                continue
            if never_starts(reason):
                for other in jobs.values():
                    if other.get_info(mode="cache").get("State") == "PENDING":
                        other.cancel(check=False)
                raise DataError(f"run {key} (job {job.job_id}) cannot start: SLURM keeps it pending, reason "
                                f"{reason} ({reason_text(reason)}); {request_advice(self.request)}. "
                                "The sweep's pending jobs were cancelled")
            if time.monotonic() - self.start > self.patience_s and self.said.get(key) != reason:
                tqdm.write(f"[itas] {key} (job {job.job_id}): pending, reason {reason}")
                self.said[key] = reason
