"""`itas status RUN_DIR`: one line per planned run of a sweep, whichever executor runs it."""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="where every planned run of a run folder stands (recorded, running, pending, failed, ...)",
        description="For every run that RUN_DIR's config.yaml plans, one line: recorded (its final Acc), "
        "running (task k/n, epoch, ETA from its progress file; its SLURM job id and state, or its process), "
        "pending (SLURM's reason, or queued in itas run), failed (the last error line and the job log), "
        "stopped (killed after task k; the next itas run resumes it) or not started. Reads the folder "
        "and, for SLURM jobs, squeue; works for --executor inline, local and slurm, during a sweep or after.",
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a folder written by itas run")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmarks.orchestration.status import sweep_status

    states = sweep_status(args.run_dir)
    width = max(len(state.key) for state in states)
    for state in states:
        print(state.line(width))
    counts = Counter(state.state for state in states)  # in first-seen order
    print(f"{len(states)} runs: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0
