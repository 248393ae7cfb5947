"""submitit executors for `itas run --executor`: SLURM on a cluster, local processes elsewhere."""
from __future__ import annotations

from pathlib import Path

import submitit

from tasks.errors import DataError

EXECUTORS = ("inline", "local", "slurm")


def make_executor(kind: str, folder: Path, partition: str | None = None, gpus: int = 0,
                  timeout_min: int = 240, cpus: int = 4):
    """None for `inline` (this process); a configured submitit executor otherwise."""
    if kind == "inline":
        return None
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
