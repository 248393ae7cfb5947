"""The callable a submitit job runs: one planned run, rebuilt from the config and its key.

Unpickling it imports nothing heavy (torch, Avalanche and the runner load once it is called): submitit
installs its SLURM signal handlers only after unpickling, and SLURM may send the time-limit warning
within seconds of a short job's start (it checks limits every 30 s), so a job must be ready for it
at once — an unhandled warning signal kills it.
"""
from __future__ import annotations

from pathlib import Path

import submitit


class RunJob(submitit.helpers.Checkpointable):
    """One run as a submitit job. When SLURM preempts the job or its time runs out, submitit calls
    `checkpoint`, which (Checkpointable's default) requeues this same callable with the same
    arguments; the requeued job finds the run's checkpoint and resumes after its last finished task."""

    def __call__(self, cfg: dict, out_dir: Path, key: str, device: str, progress: bool,
                 report_progress: bool = False) -> dict:
        from benchmarks.orchestration.runner import execute_run, plan_runs

        run = next(run for run in plan_runs(cfg) if run.key == key)
        return execute_run(cfg, out_dir, run, device, progress, None, report_progress)
