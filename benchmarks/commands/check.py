"""`itas check DATA_DIR`: validate a dataset folder in the MS-TCN layout and summarise it."""
from __future__ import annotations

import argparse
from pathlib import Path

from tasks.datasets import ACTIVITIES_FILE, CONVENTIONS, CUSTOM, infer_dataset, load_dataset
from tasks.errors import DataError
from tasks.labels import build_label_space


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="validate a dataset folder (MS-TCN layout)",
        description="Read every file of one split; print a summary, or one line naming the bad file.",
    )
    parser.add_argument("data_dir", metavar="DATA_DIR")
    parser.add_argument("--dataset", default=None, choices=[*sorted(CONVENTIONS), CUSTOM],
                        help="naming convention (default: from the folder name, e.g. data/50salads; "
                        "custom with --activities or --activity-pattern)")
    parser.add_argument("--activities", metavar="FILE", help="custom: '<video> <activity>' per line")
    parser.add_argument("--activity-pattern", metavar="REGEX", help="custom: one group, searched in each video name")
    parser.add_argument("--split", type=int, default=1)
    parser.set_defaults(handler=run)


def dataset_of(args: argparse.Namespace) -> str:
    if args.dataset is not None:
        return args.dataset
    if args.activities is not None or args.activity_pattern is not None:
        return CUSTOM
    listed = Path(args.data_dir) / ACTIVITIES_FILE
    if listed.is_file():  # a folder that names its videos' activities itself (`itas synth --like` writes one)
        args.activities = str(listed)
        return CUSTOM
    inferred = infer_dataset(args.data_dir)
    if inferred is None:
        raise DataError(f"{args.data_dir}: cannot tell the dataset from the folder name; pass --dataset "
                        f"{'|'.join(sorted(CONVENTIONS))}, or --activities FILE / --activity-pattern REGEX "
                        "(data.activities / data.activity_pattern in a config) for another dataset")
    return inferred


def run(args: argparse.Namespace) -> int:
    args.dataset = dataset_of(args)
    data = load_dataset(args.data_dir, args.dataset, split=args.split, activities=args.activities,
                        activity_pattern=args.activity_pattern)
    frames = sum(v.num_frames for v in data.videos)
    disjoint = build_label_space(data, "disjoint")
    blurry = build_label_space(data, "blurry")
    print(f"{data.root}: {args.dataset} split {args.split} OK")
    print(f"  videos      {len(data.train)} train + {len(data.test)} test")
    print(f"  frames      {frames} (feature dim {data.videos[0].dim})")
    print(f"  classes     {len(data.actions)} in mapping.txt; observed: {blurry.num_classes} "
          f"(blurry), {disjoint.num_classes} (disjoint)")
    print(f"  activities  {len(data.activities)}: {', '.join(data.activities)}")
    return 0
