"""`itas eval`: score a folder of prediction files against groundTruth with Acc, Edit and F1@k."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from results.metrics import METRIC_TITLES, METRICS
from results.prediction_files import evaluate_folders


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate prediction files against ground truth (Acc, Edit, F1@10/25/50)",
        description="Evaluate per-frame prediction files against a groundTruth folder. Each "
        "<vid>.txt in --gt needs a prediction of the same name in --pred (MS-TCN's <vid> without "
        ".txt also works), either one label per line or MS-TCN's header line + space-separated "
        "labels. Acc pools all frames; Edit is averaged over videos; F1@k sums tp/fp/fn.",
    )
    parser.add_argument("--gt", type=Path, required=True, metavar="DIR", help="groundTruth folder")
    parser.add_argument("--pred", type=Path, required=True, metavar="DIR", help="prediction folder")
    parser.add_argument(
        "--bg",
        nargs="+",
        default=[],
        metavar="LABEL",
        help="background labels left out of Edit and F1 (default: none, as MS-TCN for Breakfast)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    scores = evaluate_folders(args.gt, args.pred, background=args.bg)
    if args.json:
        print(json.dumps({name: scores[name] for name in METRICS}))
        return 0
    print(" ".join(f"{METRIC_TITLES[name]:>7}" for name in METRICS))
    print(" ".join(f"{scores[name]:7.2f}" for name in METRICS))
    return 0
