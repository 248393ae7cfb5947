"""`itas estimate [CONFIG] [--device D] [--jobs N] [--json]`: predicted wall time of a config."""
from __future__ import annotations

import argparse
import json
import os

from benchmarks.commands.training_options import add_override_argument
from benchmarks.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "estimate",
        help="predict the wall time of a config's runs from a short calibration on the device",
        description="Time each cost of a run on the device with the real modules at the config's "
        "sizes (backbone training and evaluation, TCA training, inversion, decoding; about 2 s each "
        "with --seconds 2), multiply by the config's counts (frames per task from the data folder, "
        "the procedural plan, or Breakfast's published totals when the folder is absent; epochs, "
        "steps, strategies, seeds, replay sizes) and print the predicted time of every run and of "
        "the sweep with --jobs runs at a time, with and without TCA sharing. Nothing is written.",
    )
    p.add_argument("config", nargs="?", help="experiment YAML (default: bundled quick.yaml)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default: auto)")
    p.add_argument("--jobs", type=int, default=0, help="runs at a time, as `itas run --jobs` (default 0 = auto)")
    p.add_argument("--seconds", type=float, default=2.0, help="timing per calibrated cost (default 2)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    add_override_argument(p)
    p.set_defaults(handler=run)


def _duration(seconds: float) -> str:
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def run(args: argparse.Namespace) -> int:
    from benchmarks.cost.calibration import calibrate
    from benchmarks.commands.run import resolve_jobs
    from benchmarks.cost.cost_data import data_profile
    from benchmarks.cost.estimate import estimate_runs, sweep_seconds, tca_sizes
    from benchmarks.orchestration.runner import plan_runs, resolve_device
    from tasks.precision import check_precision

    cfg = load_config(args.config, args.overrides)
    device = resolve_device(args.device)
    check_precision(cfg["train"]["precision"], device)
    profile = data_profile(cfg)
    jobs = resolve_jobs(cfg, device, args.jobs, len(plan_runs(cfg)), profile)
    rates = calibrate(cfg, profile, tca_sizes(cfg, profile.num_classes), device, args.seconds)
    runs = estimate_runs(cfg, profile, rates)
    total = sweep_seconds([r.seconds for r in runs], jobs)
    alone = sweep_seconds([r.seconds_alone for r in runs], jobs)
    if args.json:
        print(json.dumps({
            "device": str(device), "jobs": jobs, "total_seconds": round(total, 1),
            "total_seconds_without_sharing": round(alone, 1), "runs": [r.as_dict() for r in runs],
            "data": {"source": profile.source, "note": profile.note, "videos": len(profile.videos),
                     "frames": sum(v.frames for v in profile.videos), "dim": profile.dim,
                     "num_classes": profile.num_classes},
            "calibration": {**rates.as_dict(), "load_average": os.getloadavg()[0], "cores": os.cpu_count()},
        }, indent=1))
        return 0
    print(f"[itas] estimate on {device}, {jobs} run(s) at a time; data: {profile.source}; calibrated "
          f"by {rates.clock} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if profile.note:
        print(f"[itas] note: {profile.note}")
    width = max(len(r.key) for r in runs)
    print(f"{'run':<{width}}  {'predicted':>10}  {'no sharing':>10}")
    for r in runs:
        print(f"{r.key:<{width}}  {_duration(r.seconds):>10}  {_duration(r.seconds_alone):>10}")
    print(f"total wall time: {_duration(total)} with TCA sharing, {_duration(alone)} without "
          "(data loading, procedural generation and plots not included)")
    return 0
