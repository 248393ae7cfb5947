"""Segmental F1@k: greedy IoU matching in prediction order, counts summed over videos."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from results.metrics.foreground import check_pair, foreground_segments

OVERLAPS = (0.10, 0.25, 0.50)


def f1_counts(
    pred: np.ndarray, gt: np.ndarray, overlaps: Sequence[float] = OVERLAPS, background: Sequence = ()
) -> np.ndarray:
    """(len(overlaps), 3) int array of (tp, fp, fn) per overlap threshold for one video.

    MS-TCN's f_score: each predicted segment, in temporal order, takes the ground-truth segment of
    highest label-masked IoU (first on ties); it is a tp if IoU ≥ k and that segment is not hit yet,
    else a fp; fn = unhit ground-truth segments. Ends are exclusive (the fixed `i + 1` convention).
    Without ground-truth foreground every predicted segment is a fp.
    """
    pred, gt = check_pair(pred, gt)
    p_label, p_start, p_end = foreground_segments(pred, background)
    g_label, g_start, g_end = foreground_segments(gt, background)
    thresholds = np.asarray(overlaps, dtype=np.float64)
    n_pred, n_gt = len(p_label), len(g_label)
    if n_pred == 0 or n_gt == 0:
        tp = np.zeros(len(thresholds), dtype=np.int64)
        return np.stack([tp, tp + n_pred, tp + n_gt], axis=1)
    intersection = np.minimum(p_end[:, None], g_end[None, :]) - np.maximum(p_start[:, None], g_start[None, :])
    union = np.maximum(p_end[:, None], g_end[None, :]) - np.minimum(p_start[:, None], g_start[None, :])
    iou = intersection / union * (p_label[:, None] == g_label[None, :])
    best = iou.argmax(axis=1)
    best_iou = iou[np.arange(n_pred), best]
    # Greedy order only matters through "first passing prediction takes the segment": a prediction
    # is a tp exactly when its best segment is passed by no earlier prediction, so tp = the number of
    # distinct best segments among the predictions that pass the threshold.
    passing = best_iou[None, :] >= thresholds[:, None]
    hit = np.zeros((len(thresholds), n_gt), dtype=bool)
    rows, cols = np.nonzero(passing)
    hit[rows, best[cols]] = True
    tp = hit.sum(axis=1)
    return np.stack([tp, n_pred - tp, n_gt - tp], axis=1)


def f1_from_counts(tp: float, fp: float, fn: float) -> float:
    """2PR/(P+R) · 100 = 200·tp / (2tp + fp + fn); 0 when tp = 0 (MS-TCN's nan_to_num).

    No segments at all on either side (tp = fp = fn = 0) scores 100, matching Edit's convention.
    """
    denominator = 2 * tp + fp + fn
    if denominator == 0:
        return 100.0
    return 200.0 * tp / denominator


def f1_scores(
    preds: Sequence[np.ndarray],
    gts: Sequence[np.ndarray],
    overlaps: Sequence[float] = OVERLAPS,
    background: Sequence = (),
) -> list[float]:
    """F1@k for each overlap, from tp/fp/fn summed over all videos."""
    totals = np.zeros((len(overlaps), 3), dtype=np.int64)
    for p, g in zip(preds, gts, strict=True):
        totals += f1_counts(p, g, overlaps, background)
    return [f1_from_counts(*row) for row in totals.tolist()]
