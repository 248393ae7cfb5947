"""Continual-learning aggregates of a score matrix R, R[i][j] = score on task j after training task i.

R may be non-square: a run stopped after training i + 1 of N tasks has i + 1 rows and N columns.
"last" (L below) is always the last row, and only tasks j ≤ L, those trained so far, take part;
columns beyond L (tasks never trained) are ignored. Missing entries are NaN.

    final average       A   = mean_{j ≤ L} R[L][j]
    seen-task average   A_i = mean_{j ≤ i} R[i][j]            (the forgetting curve, one per step)
    average incremental     = mean_{i ≤ L} A_i
    forgetting (Chaudhry)   = mean_{j < L} (max_{l < L} R[l][j] − R[L][j])
    BWT (GEM)               = mean_{j < L} (R[L][j] − R[j][j])

Forgetting and BWT need at least two trained tasks and are NaN otherwise. The max in forgetting
skips NaN entries, so a runner that evaluates only seen tasks (R[l][j] missing for l < j) gives the
same value as one that evaluates everything; every other NaN propagates to the result.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from tasks.errors import DataError


def _trained(matrix: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """The square block of trained tasks, R[:L+1, :L+1], as float64."""
    r = np.asarray(matrix, dtype=np.float64)
    if r.ndim != 2 or r.shape[0] == 0:
        raise DataError(f"score matrix must be 2-D with at least one row, got shape {r.shape}")
    if r.shape[1] < r.shape[0]:
        raise DataError(f"score matrix has {r.shape[0]} training steps but only {r.shape[1]} tasks")
    return r[:, : r.shape[0]]


def final_average(matrix: Sequence[Sequence[float]] | np.ndarray) -> float:
    r = _trained(matrix)
    return float(r[-1].mean())


def seen_task_averages(matrix: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """A_i for every step i: the mean over the tasks trained so far, after training task i."""
    r = _trained(matrix)
    seen = np.tril(np.ones_like(r, dtype=bool))
    # NaN outside the triangle would poison the row sums, so zero them before summing.
    return np.where(seen, r, 0.0).sum(axis=1) / seen.sum(axis=1)


def average_incremental(matrix: Sequence[Sequence[float]] | np.ndarray) -> float:
    return float(seen_task_averages(matrix).mean())


def forgetting(matrix: Sequence[Sequence[float]] | np.ndarray) -> float:
    r = _trained(matrix)
    if len(r) < 2:
        return float("nan")
    earlier = r[:-1, :-1]
    best = np.full(earlier.shape[1], np.nan)
    evaluated = ~np.isnan(earlier).all(axis=0)
    best[evaluated] = np.nanmax(earlier[:, evaluated], axis=0)
    return float((best - r[-1, :-1]).mean())


def backward_transfer(matrix: Sequence[Sequence[float]] | np.ndarray) -> float:
    r = _trained(matrix)
    if len(r) < 2:
        return float("nan")
    return float((r[-1, :-1] - np.diag(r)[:-1]).mean())
