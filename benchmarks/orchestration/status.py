"""`itas status RUN_DIR`: where every planned run of a run folder stands, one line each.

Read from the folder alone — config.yaml plans the runs; runs/ holds the recorded ones; progress/
the position of those training; jobs/runs.json (benchmarks.orchestration.ledger) which executor and
job runs each, and how failed ones ended; checkpoints/ how far a stopped run got — plus, for SLURM
jobs, one squeue call for their states and pending reasons. Works whichever executor ran the
sweep, while it runs or after.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.cluster.queue import QueueEntry, squeue
from benchmarks.config import load_config
from benchmarks.orchestration.checkpoints import checkpoint_path, read_header
from benchmarks.orchestration.ledger import last_error_line, read_ledger
from benchmarks.orchestration.live_progress import epochs_done, progress_path, read_progress
from benchmarks.orchestration.runner import plan_runs, record_path
from tasks.errors import DataError

RUNNING_STATES = ("RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED")
WAITING_STATES = ("PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD")


@dataclass(frozen=True)
class RunStatus:
    key: str
    state: str  # recorded | running | pending | failed | stopped | not started
    detail: str

    def line(self, width: int) -> str:
        return f"{self.key:<{width}}  {self.state:<11}  {self.detail}".rstrip()


def final_acc(record: dict) -> float:
    """Mean Acc over tasks after the last task, of the run's own head (the strategy's label)."""
    rows = [row for row in record["metrics"] if row[0] == record["strategy"] and row[3] == "acc"]
    last = max(row[1] for row in rows)
    values = [row[4] for row in rows if row[1] == last]
    return sum(values) / len(values)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def position_text(position: dict, now: float) -> str:
    """'task k/n, epoch e/E, ETA …' from a progress file (the ETA at this process's own pace)."""
    done, total = epochs_done(position), position["tasks"] * position["epochs"]
    text = f"task {position['task'] + 1}/{position['tasks']}, epoch {position['epoch']}/{position['epochs']}"
    if "phase" in position:  # a memory's long phase after the epochs (TCA training, inversion)
        text += f", {position['phase']} {position['step']}/{position['steps']}"
    if "since" in position and done > position["from"]:
        pace = (position["time"] - position["since"]) / (done - position["from"])
        text += f", ETA {_duration(pace * (total - done) - (now - position['time']))}"
    return text


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, TypeError):
        return False
    return True


def _log_error(entry: dict) -> str:
    log = entry.get("log")
    try:
        text = Path(log).read_text(errors="replace") if log else None
    except OSError:
        text = None
    return last_error_line(text) or "no error in its log"


def _failed(entry: dict, error: str | None = None) -> str:
    error = error or entry.get("failed") or _log_error(entry)
    if not entry.get("log"):
        return f"{error} (in the itas run process, no job log)"
    return f"{error}; job log: {entry['log']}" if Path(entry["log"]).is_file() else f"{error} (no job log)"


def _stopped_or_not_started(out_dir: Path, key: str) -> RunStatus:
    ckpt = checkpoint_path(out_dir, key)
    if ckpt.is_file():
        try:
            task = read_header(ckpt)[0].get("task")
        except DataError:
            task = None
        if task is not None:
            return RunStatus(key, "stopped", f"after task {task + 1} (checkpoint; the next itas run resumes it)")
    return RunStatus(key, "not started", "")


def run_status(out_dir: Path, key: str, entry: dict | None, queue: dict[str, QueueEntry] | None,
               now: float) -> RunStatus:
    position = read_progress(progress_path(out_dir, key))
    where = position_text(position, now) if position else "starting"
    if entry is None:
        return _stopped_or_not_started(out_dir, key)
    if "failed" in entry:
        return RunStatus(key, "failed", _failed(entry))
    kind, job = entry.get("executor"), entry.get("job")
    if kind == "slurm":
        if queue is None:
            return RunStatus(key, "unknown", f"SLURM job {job}: squeue does not answer")
        state = queue.get(job)
        if state is None:  # SLURM has forgotten the job, which ended without a record
            return RunStatus(key, "failed", _failed(entry))
        if state.state in RUNNING_STATES:
            return RunStatus(key, "running", f"{where}; SLURM job {job} {state.state} on {state.node}")
        if state.state in WAITING_STATES:
            return RunStatus(key, "pending", f"SLURM job {job} {state.state}, reason {state.reason}")
        return RunStatus(key, "failed", _failed(entry, f"SLURM job {job} {state.state}: {_log_error(entry)}"))
    if kind == "local":  # submitit's local job: its id is the process id
        if _alive(job):
            return RunStatus(key, "running", f"{where}; process {job}")
        return RunStatus(key, "failed", _failed(entry))
    if _alive(entry.get("parent")):  # trained by itas run itself, or its process pool
        if position:
            return RunStatus(key, "running", f"{where}; in itas run (process {entry['parent']})")
        return RunStatus(key, "pending", f"queued in itas run (process {entry['parent']})")
    return _stopped_or_not_started(out_dir, key)


def sweep_status(out_dir: Path) -> list[RunStatus]:
    """One RunStatus per planned run of the sweep in `out_dir`, in plan order."""
    config = Path(out_dir) / "config.yaml"
    if not config.is_file():
        raise DataError(f"{config}: not found, expected a folder written by itas run")
    runs = plan_runs(load_config(config))
    ledger = read_ledger(out_dir)
    jobs = [entry["job"] for run in runs if (entry := ledger.get(run.key)) and entry.get("executor") == "slurm"
            and "failed" not in entry and not record_path(out_dir, run).is_file()]
    queue = squeue(jobs) if jobs else {}
    now, states = time.time(), []
    for run in runs:
        path = record_path(out_dir, run)
        if path.is_file():
            record = json.loads(path.read_text())
            states.append(RunStatus(run.key, "recorded", f"final Acc {final_acc(record):.2f} "
                                    f"({record.get('seconds', 0):.0f} s)"))
        else:
            states.append(run_status(out_dir, run.key, ledger.get(run.key), queue, now))
    return states
