"""`itas profile DATA`: the statistics of a dataset that decide which replay memory works (white
share of within-segment variance, autocorrelation, separability, segment and transcript statistics),
where it sits on the regime map, written as profile.json, profile.md and profile.png."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.commands.check import dataset_of
from benchmarks.studies.profile_report import profile_markdown, profile_picture
from benchmarks.studies.regime_position import position, position_lines
from tasks.atomic_files import write_text_atomically, writable_folder
from tasks.datasets import CONVENTIONS, CUSTOM, load_dataset, require_dataset_folder
from tasks.errors import DataError
from tasks.label_stats import default_background, label_statistics
from tasks.profile import feature_statistics


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "profile", help="measure the statistics that decide which memory works, and place the data on the regime map",
        description="Profile an MS-TCN dataset folder at the training frame rate (no generator ground truth "
        "needed): per-dimension scale, white share of within-segment variance (variogram nugget in each "
        "class's noise floor), lag-1 autocorrelation, separability, segment/transcript statistics. Writes "
        "profile.json, profile.md and profile.png; prints the nearest regime-map point and its measured order.",
    )
    parser.add_argument("data_dir", metavar="DATA")
    parser.add_argument("--dataset", default=None, choices=[*sorted(CONVENTIONS), CUSTOM],
                        help="naming convention (default: from the folder, as `itas check`)")
    parser.add_argument("--activities", metavar="FILE", help="custom: '<video> <activity>' per line")
    parser.add_argument("--activity-pattern", metavar="REGEX", help="custom: one group, searched in each video name")
    parser.add_argument("--split", type=int, default=1)
    parser.add_argument("--sample-rate", type=int, default=None,
                        help="profile every N-th frame, the rate you train at (default: the dataset's)")
    parser.add_argument("--background", nargs="*", metavar="LABEL", default=None,
                        help="background labels (default: SIL/background if the mapping has them)")
    parser.add_argument("--out", default=None, help="output folder (default runs/profile-<DATA name>)")
    parser.add_argument("--json", action="store_true", help="print profile.json's object instead of the summary")
    parser.set_defaults(handler=run)


def profile_dataset(args: argparse.Namespace) -> dict:
    """The profile object of profile.json for the dataset named by `args`."""
    require_dataset_folder(args.data_dir)
    dataset = dataset_of(args)
    data = load_dataset(args.data_dir, dataset, split=args.split, sample_rate=args.sample_rate,
                        activities=args.activities, activity_pattern=args.activity_pattern)
    # At least 2 videos, as the white-noise estimator needs (it fits on one half and measures on the
    # other): the reader refuses an empty split and a video in both splits.
    background = default_background(data.actions) if args.background is None else args.background
    unknown = [name for name in background if name not in data.actions]
    if unknown:
        raise DataError(f"--background: {unknown} not in {data.root / 'mapping.txt'}")
    try:
        features = feature_statistics(data.train, data.test, data.actions)
    except DataError as err:
        raise DataError(f"{args.data_dir}: {err}") from None
    profile = {**{key: features[key] for key in ("white_share", "lag1_autocorrelation", "separability",
                                                 "nearest_mean_accuracy")},
               "data": {"root": str(data.root), "dataset": dataset, "split": args.split,
                        "sample_rate": args.sample_rate or (CONVENTIONS[dataset].sample_rate if dataset in CONVENTIONS else 1),
                        "train_videos": len(data.train), "test_videos": len(data.test),
                        "frames": sum(v.num_frames for v in data.videos), "dim": data.videos[0].dim,
                        "classes": len(data.actions), "activities": data.activities},
               **{key: value for key, value in features.items() if key not in ("white_share", "lag1_autocorrelation",
                                                                                "separability", "nearest_mean_accuracy")},
               **label_statistics(data.videos, data.actions, background)}
    profile["regime_map"] = position(profile)
    return profile


def run(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path("runs") / f"profile-{Path(args.data_dir).resolve().name}"
    profile = profile_dataset(args)
    writable_folder(out)
    text = json.dumps(profile, indent=1, allow_nan=False) + "\n"
    write_text_atomically(out / "profile.json", text)
    write_text_atomically(out / "profile.md", profile_markdown(profile))
    profile_picture(profile, out / "profile.png")
    if args.json:
        print(text, end="")
        return 0
    print(f"{profile['data']['root']}: {profile['data']['train_videos']} train + {profile['data']['test_videos']} test "
          f"videos, {profile['data']['frames']} frames, dim {profile['data']['dim']}, sample rate "
          f"{profile['data']['sample_rate']}")
    print(f"  white share {profile['white_share']:.1%}  lag-1 autocorrelation {profile['lag1_autocorrelation']:.3f}  "
          f"separability {profile['separability']:.3f}  nearest-mean accuracy {profile['nearest_mean_accuracy']:.1%}")
    print("\n".join(position_lines(profile["regime_map"])))
    print(f"wrote {out / 'profile.json'}, profile.md, profile.png")
    return 0
