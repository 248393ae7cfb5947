"""`itas synth --like DATA OUT`: fit a procedural twin to DATA (tasks/twin.py) and write it in the
MS-TCN layout, with activities.txt (so `itas check OUT` needs no flags) and twin.json (the fitted
parameters: no frame, no prototype)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.commands.check import dataset_of
from tasks.datasets import CONVENTIONS, CUSTOM, load_dataset, require_dataset_folder
from tasks.errors import DataError
from tasks.mstcn import write_dataset
from tasks.twin import fit_twin, render_twin


def add_like_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("procedural twin (--like)")
    group.add_argument("--like", metavar="DATA", default=None,
                       help="fit a twin to this MS-TCN folder instead of using a preset (the preset options are ignored)")
    group.add_argument("--dataset", default=None, choices=[*sorted(CONVENTIONS), CUSTOM],
                       help="DATA's naming convention (default: from the folder, as `itas check`)")
    group.add_argument("--activities", metavar="FILE", help="custom: '<video> <activity>' per line")
    group.add_argument("--activity-pattern", metavar="REGEX", help="custom: one group, searched in each video name")
    group.add_argument("--split", type=int, default=1, help="DATA's split to fit on (default 1); the twin has split 1")
    group.add_argument("--sample-rate", type=int, default=None,
                       help="the rate you train at: fitted there, written at DATA's native rate (default: the dataset's)")


def synth_like(args: argparse.Namespace) -> int:
    source = argparse.Namespace(data_dir=args.like, dataset=args.dataset, activities=args.activities,
                                activity_pattern=args.activity_pattern)
    require_dataset_folder(args.like)
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):  # before minutes of fitting, not after
        raise DataError(f"{out}: output exists and is not an empty folder")
    dataset = dataset_of(source)
    rate = args.sample_rate or (CONVENTIONS[dataset].sample_rate if dataset in CONVENTIONS else 1)
    if rate < 1 or (args.dim is not None and args.dim < 1):
        raise DataError("--sample-rate and --dim: expected positive integers")
    # dataset_of may have found DATA's own activities.txt: read with what it settled on
    data = load_dataset(args.like, dataset, split=args.split, sample_rate=rate, activities=source.activities,
                        activity_pattern=source.activity_pattern)
    model = fit_twin(data, rate, args.dim)
    videos, bundles = render_twin(model, args.seed)
    activities = "".join(f"{name} {name.split('_', 2)[2]}\n" for names in bundles.values() for name in names)
    description = {"twin_of": str(Path(args.like).resolve()), "dataset": dataset, "split": args.split,
                   "seed": args.seed, **model.summary()}
    out = write_dataset(out, model.actions, videos, bundles,
                        extra_files={"activities.txt": activities, "twin.json": json.dumps(description, indent=1) + "\n"})
    train, test = (len(bundles[f"{part}.split1"]) for part in ("train", "test"))
    print(f"wrote {out}: twin of {args.like}, {train} train + {test} test videos, dim {model.features.start.shape[1]}, "
          f"written at DATA's native rate (train with sample_rate {rate}, as on DATA), seed {args.seed}")
    return 0
