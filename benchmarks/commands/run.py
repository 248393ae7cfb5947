"""`itas run [CONFIG] [--out DIR] [--device auto|cpu|cuda]`: train and evaluate a config."""
from __future__ import annotations

import argparse
import contextlib
import os
import time
from pathlib import Path

from benchmarks.commands.training_options import add_training_arguments
from benchmarks.config import bundled_config, dump_config, load_config, resolve_config
from benchmarks.orchestration.loggers import require_logger_packages
from benchmarks.orchestration.outputs import final_table, write_run_tables
from tasks.atomic_files import remove_orphaned_temps, writable_folder
from tasks.errors import DataError
from tasks.precision import check_precision


# The common `cluster` keys as flags; the others through --set cluster.KEY=VALUE (docs: running/cluster.md).
CLUSTER_FLAGS = {
    "--slurm-partition": ("partition", str, "SLURM partition"),
    "--slurm-cpus": ("cpus_per_task", int, "CPUs per SLURM job"),
    "--slurm-mem-gb": ("mem_gb", float, "memory per SLURM job in GB"),
    "--slurm-gpus": ("gpus", int, "GPUs per SLURM job"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="train and evaluate strategies task after task (default: the bundled quick config)",
        description="Run an incremental TAS experiment. Without CONFIG, the bundled quick config runs "
        "on the embedded procedural dataset (no download needed). Writes config.yaml, tasks.json, "
        "metrics.csv, memory.csv, matrices.json, summary.{csv,md,tex}, PNG plots and ribbons, "
        "predictions/ (output.save_predictions) and, when configured, loggers/ (output.loggers), "
        "memories/ and replay pictures (output.save_memories) into --out.",
    )
    add_training_arguments(p, "quick.yaml", "runs/<config name>-<time>")
    p.add_argument("--executor", default="inline", choices=["inline", "local", "slurm"],
                   help="inline: on this machine, --jobs runs at a time (default); local: one "
                   "process per run via submitit; slurm: one SLURM job per run via submitit")
    p.add_argument("--jobs", type=int, default=0,
                   help="runs trained at the same time in local processes (default 0 = auto: one per "
                   "CPU core on the CPU; on CUDA as many as the device's free memory holds by a per-run "
                   "estimate, and a larger N is an error); each gets cores/jobs torch threads unless "
                   "train.threads is set")
    for flag, (key, kind, text) in CLUSTER_FLAGS.items():
        p.add_argument(flag, type=kind, default=None, help=f"{text} (--executor slurm; sets cluster.{key})")
    p.add_argument("--timeout-min", type=int, default=240, help="time limit per job in minutes")
    p.add_argument("--force-new", action="store_true",
                   help="in an existing --out, start afresh the runs recorded or checkpointed with a "
                   "different config (default: refuse, naming the keys that differ)")
    p.set_defaults(handler=run)


def resolve_jobs(cfg: dict, device, requested: int, runs: int, profile=None) -> int:
    """Runs at a time: on a resolved CUDA device as many as its free memory holds (0) or the
    requested number if it fits (benchmarks.cost.device_jobs); elsewhere the requested number, or one
    per CPU core (small models train best on one thread each). Sets each run's torch threads to
    cores/jobs unless train.threads is set."""
    import torch

    if requested < 0:
        raise DataError(f"--jobs: expected 0 (auto) or a positive integer, got {requested}")
    if isinstance(device, torch.device) and device.type == "cuda":
        from benchmarks.cost.cost_data import data_profile
        from benchmarks.cost.device_jobs import cuda_jobs

        jobs = cuda_jobs(cfg, device, requested, runs, profile or data_profile(cfg))
    else:
        jobs = requested or max(1, min(os.cpu_count() or 1, runs))
    if jobs > 1 and cfg["train"]["threads"] is None:
        cfg["train"]["threads"] = max(1, (os.cpu_count() or 1) // jobs)
    return jobs


def run(args: argparse.Namespace) -> int:
    import torch

    from benchmarks.orchestration.executors import make_executor, require_slurm_commands, slurm_cpus
    from benchmarks.orchestration.replay_pictures import write_replay_pictures
    from benchmarks.orchestration.runner import (
        check_resumable,
        plan_runs,
        prepare_experiment,
        resolve_device,
        run_experiment,
    )

    cfg = load_config(args.config, args.overrides)
    for flag, (key, _, _) in CLUSTER_FLAGS.items():
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            resolve_config({"cluster": {key: value}}, source=flag)  # checked alone: the error names the flag
            cfg["cluster"][key] = value
    require_logger_packages(cfg["output"]["loggers"])
    # A SLURM job resolves the device on its node; everything else resolves it here, failing early.
    device = args.device if args.executor == "slurm" else resolve_device(args.device)
    if not isinstance(device, str):  # else checked on the node, when the run starts
        check_precision(cfg["train"]["precision"], device)
    if args.executor == "slurm":  # one run per job; its torch threads are the job's CPUs
        require_slurm_commands()
        jobs, cfg["train"]["threads"] = 1, slurm_cpus(cfg)
    else:
        jobs = resolve_jobs(cfg, device, args.jobs, len(plan_runs(cfg)))
    name = Path(args.config).stem if args.config else "quick"
    out = Path(args.out) if args.out else Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    experiment = prepare_experiment(cfg, str(args.config or bundled_config()))  # data, splits and budgets checked before any output
    writable_folder(out)
    for orphan in remove_orphaned_temps(out):
        print(f"[itas] removed {orphan} (left by an interrupted write)")
    for key in check_resumable(experiment, out, force_new=args.force_new):
        print(f"[itas] {key}: recorded with another config, started afresh (--force-new)")
    executor = make_executor(args.executor, out / "jobs", cfg, args.timeout_min, jobs=jobs)
    dump_config(cfg, out / "config.yaml")
    print(f"[itas] run {name} on {device} -> {out}")
    records = run_experiment(experiment, out, device, progress=not args.no_progress, executor=executor)
    with contextlib.suppress(OSError):  # empty once every finished run's checkpoint is deleted
        (out / "checkpoints").rmdir()
    write_run_tables(records, out)
    # pictures decode on the run's device; a SLURM run's device name may not exist on this node
    write_replay_pictures(out, out, device if isinstance(device, torch.device) else torch.device("cpu"))
    print(final_table(records))
    print(f"[itas] wrote {out}")
    return 0
