"""Frame accuracy (MoF): correct frames over all frames, pooled over videos, background included."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from results.metrics.foreground import check_pair
from tasks.errors import DataError


def frame_counts(pred: np.ndarray, gt: np.ndarray) -> tuple[int, int]:
    """(correct frames, total frames) of one video."""
    pred, gt = check_pair(pred, gt)
    return int(np.count_nonzero(pred == gt)), len(gt)


def accuracy(preds: Sequence[np.ndarray], gts: Sequence[np.ndarray]) -> float:
    """100 · Σ correct / Σ frames over all videos (MS-TCN eval.py's Acc)."""
    counts = np.array([frame_counts(p, g) for p, g in zip(preds, gts, strict=True)]).reshape(-1, 2)
    correct, total = counts.sum(axis=0)
    if total == 0:
        raise DataError("accuracy needs at least one frame")
    return 100.0 * correct / total
