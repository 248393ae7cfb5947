"""What SLURM says about a sweep's jobs, from squeue and sinfo.

squeue answers with or without accounting (sacct prints an error at every poll where accounting is
off) and gives the reason a job pends. A request that no node of the partition can satisfy pends
forever (reason PartitionConfig) or is refused by sbatch; `request_advice` says which `cluster` key
to change, and to what, from the partition's nodes.
"""
from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from typing import Iterable

from submitit.slurm.slurm import SlurmInfoWatcher

# Pending reasons that no wait resolves: the request exceeds what the partition or its limits allow.
UNSATISFIABLE = {
    "PartitionConfig": "it asks for more than the partition's nodes have",
    "BadConstraints": "no node has what it asks for",
    "PartitionNodeLimit": "it asks for more nodes than the partition allows",
    "PartitionTimeLimit": "its time limit is above the partition's",
    "InvalidAccount": "its account is not valid",
    "InvalidQOS": "its QOS is not valid",
}
NEVER_FITS = re.compile(r"^(QOS|Assoc)Max\w*PerJob\w*$")  # per-job limits of a QOS or an association


@dataclass(frozen=True)
class QueueEntry:
    state: str  # PENDING, RUNNING, REQUEUED, COMPLETED, CANCELLED, FAILED, TIMEOUT ...
    reason: str  # why it pends (None while it runs)
    node: str


@dataclass(frozen=True)
class SlurmRequest:
    """What each job of a sweep asks for (benchmarks.orchestration.executors builds it from the config)."""

    cpus: int
    mem_gb: float | None
    gpus: int
    timeout_min: int
    partition: str | None
    constraint: str | None


def squeue(job_ids: Iterable[str]) -> dict[str, QueueEntry] | None:
    """{job id: entry} for the jobs squeue still lists (array tasks one by one, ended jobs for a few
    minutes); None when squeue does not answer."""
    bases = sorted({job.split("_")[0] for job in job_ids})
    if not bases:
        return {}
    try:
        done = subprocess.run(["squeue", "--noheader", "--array", "--states=all", f"--jobs={','.join(bases)}",
                               "--format=%i|%T|%r|%N"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return {} if "Invalid job id" in done.stderr else None  # it has forgotten every one of them
    entries = {}
    for line in done.stdout.splitlines():
        job, state, reason, node = (line.split("|") + ["", "", ""])[:4]
        entries[job.strip()] = QueueEntry(state.strip(), reason.strip(), node.strip())
    return entries


class QueueWatcher(SlurmInfoWatcher):
    """submitit's job watcher asking squeue instead of sacct. A registered job that squeue no longer
    lists has ended (ENDED); its result file, or the lack of one, tells submitit how."""

    def update(self) -> None:
        registered = self._registered - self._finished
        entries = squeue(registered) if registered else {}
        self._last_status_check = time.time()
        if entries is None:
            return
        for job in registered:
            entry = entries.get(job)
            self._info_dict[job] = ({"State": entry.state, "Reason": entry.reason, "NodeList": entry.node}
                                    if entry else {"State": "ENDED"})
            if self.is_done(job, mode="cache"):
                self._finished.add(job)


WATCHER = QueueWatcher(delay_s=15)


def watch_with_squeue(jobs: Iterable) -> None:
    """Make submitit's SLURM jobs ask squeue (per job: submitit's own class-wide watcher stays)."""
    for job in jobs:
        job.watcher = WATCHER
        WATCHER.register_job(job.job_id)


def never_starts(reason: str) -> bool:
    return reason in UNSATISFIABLE or bool(NEVER_FITS.match(reason))


def reason_text(reason: str) -> str:
    return UNSATISFIABLE.get(reason, "a per-job limit of its QOS or account" if NEVER_FITS.match(reason) else "")


@dataclass(frozen=True)
class NodeKind:
    partition: str
    default: bool
    cpus: int
    memory_mb: int
    gres: str
    time_limit_min: float
    features: str


def _minutes(limit: str) -> float:
    """sinfo's time limit ('infinite', 'D-HH:MM:SS', 'HH:MM:SS', 'MM:SS', 'MM') in minutes."""
    if limit in ("infinite", "UNLIMITED", "n/a", ""):
        return float("inf")
    days, _, clock = limit.rpartition("-")
    parts = [int(p) for p in clock.split(":")]
    seconds = {1: lambda: parts[0] * 60, 2: lambda: parts[0] * 60 + parts[1],
               3: lambda: parts[0] * 3600 + parts[1] * 60 + parts[2]}[len(parts)]()
    return (int(days or 0) * 86400 + seconds) / 60


def partition_nodes(partition: str | None) -> list[NodeKind]:
    """The nodes of `partition` (None: the default partition) as sinfo lists them; [] without an answer."""
    try:
        done = subprocess.run(["sinfo", "--noheader", "--Node", "--format=%P|%c|%m|%G|%l|%f"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    nodes = []
    for line in done.stdout.splitlines():
        name, cpus, memory, gres, limit, features = line.split("|")
        nodes.append(NodeKind(name.rstrip("*"), name.endswith("*"), int(cpus.rstrip("+")),
                              int(memory.rstrip("+")), gres, _minutes(limit), features))
    return [n for n in nodes if (n.partition == partition if partition else n.default)]


def request_advice(request: SlurmRequest) -> str:
    """What to change in the `cluster` keys so that a node of the partition fits the request."""
    nodes = partition_nodes(request.partition)
    where = f"partition '{request.partition}'" if request.partition else "the default partition"
    if not nodes:
        return f"check cluster.partition: sinfo lists no nodes in {where}"
    cpus, memory = max(n.cpus for n in nodes), max(n.memory_mb for n in nodes)
    changes = []
    if request.cpus > cpus:
        changes.append(f"set cluster.cpus_per_task (--slurm-cpus) to at most {cpus}")
    if request.mem_gb is not None and request.mem_gb * 1024 > memory:
        changes.append(f"set cluster.mem_gb (--slurm-mem-gb) to at most {memory // 1024}")
    if request.gpus and not any("gpu" in n.gres for n in nodes):
        changes.append("set cluster.gpus (--slurm-gpus) to 0, or pick a partition with GPUs")
    limit = max(n.time_limit_min for n in nodes)
    if request.timeout_min > limit:
        changes.append(f"lower --timeout-min to at most {limit:.0f}")
    if request.constraint and not changes:
        features = sorted({f for n in nodes for f in n.features.split(",") if f != "(null)"})
        changes.append(f"check cluster.constraint '{request.constraint}' (node features: {', '.join(features) or 'none'})")
    if not changes:
        changes.append("check the cluster keys (account, qos, extra) against `sinfo` and `sacctmgr show qos`")
    shape = f"{cpus} CPUs, {memory} MB" + ("" if any("gpu" in n.gres for n in nodes) else ", no GPUs")
    return f"{'; '.join(changes)} ({where}: at most {shape} per node)"
