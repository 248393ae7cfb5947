"""Run-length segments with the explicit background classes removed, shared by Edit and F1."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from tasks.errors import DataError
from tasks.video import segments


def _is_text(array: np.ndarray) -> bool:
    return array.dtype.kind in "USO"


def check_pair(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both label sequences as 1-D arrays of the same length and the same kind (text or numbers)."""
    pred, gt = np.asarray(pred), np.asarray(gt)
    if pred.ndim != 1 or gt.ndim != 1:
        raise DataError(f"labels must be 1-D sequences, got shapes {pred.shape} and {gt.shape}")
    if len(pred) != len(gt):
        raise DataError(f"prediction has {len(pred)} frames but ground truth has {len(gt)}")
    if len(gt) and _is_text(pred) != _is_text(gt):
        raise DataError(f"prediction labels are {pred.dtype} but ground truth labels are {gt.dtype}")
    return pred, gt


def foreground_segments(
    labels: np.ndarray, background: Sequence = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, starts, ends exclusive) of the runs whose label is not a background class.

    Like MS-TCN's get_labels_start_end_time, neighbours of a dropped background run are not merged.
    """
    seg_labels, starts, ends = segments(np.asarray(labels))
    if len(background) == 0 or len(seg_labels) == 0:
        return seg_labels, starts, ends
    bg = np.asarray(list(background))
    if _is_text(bg) != _is_text(seg_labels):
        # An int background against text labels (or the reverse) would silently ignore nothing.
        raise DataError(f"background classes {list(background)} do not match labels of type {seg_labels.dtype}")
    keep = ~np.isin(seg_labels, bg)
    return seg_labels[keep], starts[keep], ends[keep]
