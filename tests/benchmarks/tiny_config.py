"""The tiny experiment config the runner tests share: breakfast-like procedural data at 16-d with 6
videos per activity (8 train + 4 test videos per task over 5 tasks), a one-stage MS-TCN, one epoch,
and TCA / inversion sizes small enough for seconds on a CPU."""
from __future__ import annotations

from pathlib import Path

import yaml

TCA = {"latent": 4, "hidden": 16, "tca_epochs": 2}
STRATEGIES = [
    "finetune", "joint", "original", "mean", "coreset",
    {"name": "condensed", "params": {"K": 2, **TCA, "inversion_steps": 5}},
    {"name": "encoded", "params": {"K": 2, **TCA}},
    {"name": "tca", "params": TCA},
    "lwf",
    {"name": "icarl", "params": {"clip": 4, "clips_per_video": 2}},
]


def tiny_config(**sections: object) -> dict:
    """The tiny config with whole sections replaced, e.g. tiny_config(budgets=[{"videos": 7}])."""
    cfg = {
        "data": {"dim": 16, "videos_per_activity": 6, "length_scale": 0.05},
        "protocol": {"tasks": 5, "labels": "disjoint", "seeds": [42]},
        "backbone": {"stages": 1, "layers": 4, "maps": 8},
        "train": {"epochs": 1, "batch_size": 4},
        "strategies": STRATEGIES,
        "budgets": [{"bytes": "100KB"}],
    }
    cfg.update(sections)
    return cfg


def write_config(path: Path, cfg: dict) -> Path:
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path
