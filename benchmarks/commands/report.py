"""`itas report`: tables, R matrices and plots from one or more finished run folders."""
from __future__ import annotations

import argparse
from pathlib import Path

from results.report import write_report
from tasks.atomic_files import writable_folder
from tasks.errors import DataError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="summarise run folders into summary.{csv,md,tex}, matrices.json and PNG plots",
        description="Read metrics.csv (and memory.csv when present) from each RUN_DIR and write "
        "summary.csv/.md/.tex (final average ± std over seeds, forgetting, BWT, average "
        "incremental, memory bytes), matrices.json (R per strategy/budget/seed/metric), "
        "curve_<metric>.png, heatmap_<strategy>.png, with several budgets budget_<metric>.png and "
        "accuracy_bytes.png/.md (final Acc against bytes kept, every strategy on one axis), "
        "ribbons_<strategy>.png from the run records and, where memories were saved, "
        "replay_<strategy>_task0.png.",
    )
    parser.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="run folder(s) holding metrics.csv")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: the RUN_DIR itself; required with several)"
    )
    parser.add_argument("--device", default="auto",
                        help="where saved memories are decoded for replay_<strategy>_task0.png (default: auto)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmarks.orchestration.replay_pictures import write_replay_pictures
    from benchmarks.orchestration.runner import resolve_device

    if args.out is None and len(args.run_dirs) > 1:
        raise DataError("--out is required when several run folders are merged")
    out_dir = args.out if args.out is not None else args.run_dirs[0]
    if args.out is not None:
        writable_folder(args.out)
    device = resolve_device(args.device)
    paths = write_report(args.run_dirs, out_dir)
    for run_dir in args.run_dirs:
        paths += write_replay_pictures(run_dir, out_dir, device)
    for path in paths:
        print(path)
    return 0
