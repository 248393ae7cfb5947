"""`itas check DATA_DIR`: validate a dataset folder in the MS-TCN layout and summarise it."""
from __future__ import annotations

import argparse

from tasks.datasets import CONVENTIONS, load_dataset
from tasks.labels import build_label_space


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="validate a dataset folder (MS-TCN layout)",
        description="Read every file of one split; print a summary, or one line naming the bad file.",
    )
    parser.add_argument("data_dir", metavar="DATA_DIR")
    parser.add_argument("--dataset", default="breakfast", choices=sorted(CONVENTIONS))
    parser.add_argument("--split", type=int, default=1)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data = load_dataset(args.data_dir, args.dataset, split=args.split)
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
