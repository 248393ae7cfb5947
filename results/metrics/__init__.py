"""TAS metrics following MS-TCN eval.py: Acc, Edit, F1@{10,25,50} (all 0–100).

One metric per module; this package combines them into the five numbers every table reports.
Numpy and tasks (its error type and segments) only.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from results.metrics.accuracy import accuracy, frame_counts
from results.metrics.edit import edit_score, mean_edit
from results.metrics.f1 import OVERLAPS, f1_counts, f1_from_counts, f1_scores
from tasks.errors import DataError

METRICS = ("acc", "edit", "f1@10", "f1@25", "f1@50")
METRIC_TITLES = {"acc": "Acc", "edit": "Edit", "f1@10": "F1@10", "f1@25": "F1@25", "f1@50": "F1@50"}

__all__ = [
    "METRICS",
    "METRIC_TITLES",
    "OVERLAPS",
    "accuracy",
    "edit_score",
    "f1_counts",
    "f1_from_counts",
    "f1_scores",
    "frame_counts",
    "mean_edit",
    "segmentation_scores",
]


def segmentation_scores(
    preds: Sequence[np.ndarray], gts: Sequence[np.ndarray], background: Sequence = ()
) -> dict[str, float]:
    """Acc pooled over all frames, Edit averaged over videos, F1@k from summed counts.

    `background` lists the labels dropped from Edit and F1 (Acc always counts every frame);
    the default ignores nothing, as MS-TCN does for Breakfast's SIL.
    """
    if len(preds) != len(gts):
        raise DataError(f"{len(preds)} predictions for {len(gts)} ground-truth videos")
    if len(gts) == 0:
        raise DataError("no videos to evaluate")
    f1 = f1_scores(preds, gts, OVERLAPS, background)
    return {
        "acc": accuracy(preds, gts),
        "edit": mean_edit(preds, gts, background),
        "f1@10": f1[0],
        "f1@25": f1[1],
        "f1@50": f1[2],
    }
