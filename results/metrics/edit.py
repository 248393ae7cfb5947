"""Segmental Edit score: normalised Levenshtein distance between run-length transcripts."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from results.metrics.foreground import check_pair, foreground_segments


def edit_score(pred: np.ndarray, gt: np.ndarray, background: Sequence = ()) -> float:
    """(1 − Lev(P, G) / max(|P|, |G|)) · 100 on foreground segment labels, in 0–100.

    Both transcripts empty (no foreground on either side) scores 100: nothing to find, nothing
    wrongly predicted (MS-TCN divides 0 by 0 there).
    """
    pred, gt = check_pair(pred, gt)
    p = foreground_segments(pred, background)[0].tolist()
    g = foreground_segments(gt, background)[0].tolist()
    longest = max(len(p), len(g))
    if longest == 0:
        return 100.0
    return (1.0 - Levenshtein.distance(p, g) / longest) * 100.0


def mean_edit(preds: Sequence[np.ndarray], gts: Sequence[np.ndarray], background: Sequence = ()) -> float:
    """Mean of the per-video Edit scores (MS-TCN averages over videos, not over segments)."""
    scores = [edit_score(p, g, background) for p, g in zip(preds, gts, strict=True)]
    return float(np.mean(scores))
