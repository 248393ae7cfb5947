"""DIR/jobs/runs.json: which job runs which run, and how the failed ones ended.

`itas run` (the parent, its only writer) records every run it starts — executor, job id, job log —
and every failure with its last error line, so that `itas status` can say what each planned run is
doing without the parent: a SLURM job id to ask squeue about, a process id to look for, a log to
point at. Runs the parent trains itself are recorded with its own process id.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tasks.atomic_files import write_text_atomically

ERROR_MARKS = ("Error", "error", "Exception", "Killed")


def ledger_path(out_dir: Path) -> Path:
    return Path(out_dir) / "jobs" / "runs.json"


def read_ledger(out_dir: Path) -> dict:
    try:
        return json.loads(ledger_path(out_dir).read_text())
    except (OSError, ValueError):
        return {}


def _write(out_dir: Path, ledger: dict) -> None:
    write_text_atomically(ledger_path(out_dir), json.dumps(ledger, indent=1) + "\n")


def job_log(job) -> str | None:
    """The job's error log (where a traceback or SLURM's own kill message lands), if it has one."""
    paths = getattr(job, "paths", None)
    return str(paths.stderr) if paths is not None else None


def record_started(out_dir: Path, entries: dict[str, dict]) -> None:
    """{run key: {"executor", "job", "log"}} for the runs just started; earlier entries of other runs stay."""
    ledger = read_ledger(out_dir)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    for key, entry in entries.items():
        ledger[key] = {**entry, "parent": os.getpid(), "started": now}
    _write(out_dir, ledger)


def record_failed(out_dir: Path, key: str, error: str) -> None:
    ledger = read_ledger(out_dir)
    ledger.setdefault(key, {})["failed"] = error
    _write(out_dir, ledger)


def last_error_line(text: str | None) -> str | None:
    """The line of a log or error message that says why the job ended: SLURM's own verdict
    ('*** JOB 12 ON node CANCELLED AT … ***', '… DUE TO TIME LIMIT ***'), else the last line that
    reads as an error (a traceback's last line), else the last line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    verdicts = [line for line in lines if "***" in line]
    marked = [line for line in lines if any(mark in line for mark in ERROR_MARKS)]
    return (verdicts or marked or lines or [None])[-1]
