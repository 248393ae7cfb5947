"""Arguments shared by the commands that train (`run`, `condense`)."""
from __future__ import annotations

import argparse


def add_training_arguments(p: argparse.ArgumentParser, default_config: str, default_out: str) -> None:
    p.add_argument("config", nargs="?", help=f"experiment YAML (default: bundled {default_config})")
    p.add_argument("--out", default=None, help=f"output folder (default: {default_out})")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default: auto)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars; status lines stay")
    add_override_argument(p)


def add_override_argument(p: argparse.ArgumentParser) -> None:
    """`--set KEY=VALUE ...`: dotted config keys over the YAML file (benchmarks.config.merge_overrides)."""
    p.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                   help="override config keys, e.g. --set train.epochs=5 protocol.seeds=[42,123] "
                   "data.root=/data/breakfast (values are YAML; recorded in the run's config.yaml)")
