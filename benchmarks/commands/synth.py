"""`itas synth OUT`: write the procedural dataset to a folder in the MS-TCN layout;
`itas synth --like DATA OUT`: a procedural twin of DATA (tasks/twin.py) instead."""
from __future__ import annotations

import argparse

from benchmarks.commands.synth_like import add_like_arguments, synth_like
from tasks.procedural import PRESETS, GeneratorParams, generate

DEFAULTS = GeneratorParams()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="generate the procedural dataset into a folder (MS-TCN layout)",
        description="Generate the procedural dataset deterministically from a seed into OUT.",
    )
    parser.add_argument("out", metavar="OUT", help="output folder (must not exist or be empty)")
    parser.add_argument("--preset", default=DEFAULTS.preset, choices=sorted(PRESETS),
                        help=f"{DEFAULTS.preset} (default): within-class statistics of real features; "
                        "noise-dominated: the earlier default, within-segment variation nearly all white noise")
    parser.add_argument("--dim", type=int, default=None,
                        help=f"feature dimension (real I3D: 2048; default {DEFAULTS.dim}; with --like: DATA's, "
                        "or fewer by a PCA fitted on DATA)")
    parser.add_argument("--videos-per-activity", type=int, default=DEFAULTS.videos_per_activity)
    parser.add_argument("--length-scale", type=float, default=DEFAULTS.length_scale,
                        help=f"segment lengths relative to real Breakfast (default {DEFAULTS.length_scale})")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--noise-std", type=float, default=None,
                        help="AR(1) noise std per dimension, white at low rates (default: the preset's; "
                        "noise-dominated: 3.5)")
    parser.add_argument("--noise-correlation", type=float, default=None,
                        help="that noise's AR(1) coefficient per real-rate frame (default: the preset's, 0.8)")
    parser.add_argument("--structure", type=float, default=DEFAULTS.structure,
                        help="amplitude of the structured within-segment variation (default 0: none)")
    add_like_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.like is not None:
        return synth_like(args)
    params = GeneratorParams(args.preset, DEFAULTS.dim if args.dim is None else args.dim, args.videos_per_activity, args.length_scale,
                             args.seed, args.noise_std, args.noise_correlation, args.structure)
    params.validate()
    out = generate(args.out, params)
    train = len((out / "splits" / "train.split1.bundle").read_text().split())
    test = len((out / "splits" / "test.split1.bundle").read_text().split())
    print(f"wrote {out}: preset {params.preset}, {train} train + {test} test videos, dim {params.dim}, "
          f"length scale {params.length_scale:g}, seed {params.seed} (MS-TCN layout, split 1)")
    return 0
