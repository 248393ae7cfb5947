"""Helpers of the slurm-marked tests: `itas` in a child process, waiting, and what SLURM lists."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TABLES = ("metrics.csv", "memory.csv", "summary.csv")


def itas(*argv) -> subprocess.Popen:
    """`itas ARGV` from this checkout in a child process (stdout and stderr captured as text)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "benchmarks.cli", *map(str, argv)], cwd=ROOT, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition, timeout: float, what: str, poll: float = 0.5):
    """Poll `condition()` until it returns something true; fail naming `what` after `timeout` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    pytest.fail(f"waited {timeout:.0f} s for {what}")


def queue() -> dict:
    """{job id: (state, reason)} of every job SLURM lists."""
    done = subprocess.run(["squeue", "--noheader", "--array", "--format=%i|%T|%r"], capture_output=True, text=True)
    return {job: (state, reason) for job, state, reason in (line.split("|") for line in done.stdout.split())}


def task_of(progress: Path) -> int:
    """The task index a run's progress file shows (-1 before it has one)."""
    try:
        return json.loads(progress.read_text())["task"]
    except (OSError, ValueError):
        return -1


def job_of(out: Path, key: str) -> str | None:
    """The job id `itas run` noted for a run in out/jobs/runs.json."""
    try:
        return json.loads((out / "jobs" / "runs.json").read_text())[key]["job"]
    except (OSError, ValueError, KeyError):
        return None


def same_tables(a: Path, b: Path) -> bool:
    return all((a / table).read_bytes() == (b / table).read_bytes() for table in TABLES)
