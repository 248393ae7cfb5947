"""Which training videos a memory keeps: a full ranking of a task's videos, best first.

A memory keeps the greedy budget fit in this order (`budget.fit_videos`), so the ranking is computed
once per task and shrinking shares simply drop videos from its tail.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from tasks.errors import DataError
from tasks.video import Video

SELECTIONS = ("random", "herding", "diverse")


def check_selection(method: str, gamma: float | None) -> None:
    """DataError unless `method` is a known selection and `gamma` a fraction in (0, 1]."""
    if method not in SELECTIONS:
        raise DataError(f"memory selection: {method!r} is not one of {', '.join(SELECTIONS)}")
    fraction = isinstance(gamma, (int, float)) and not isinstance(gamma, bool) and 0 < gamma <= 1
    if gamma is not None and not fraction:
        raise DataError(f"memory gamma: expected a fraction in (0, 1] or null, got {gamma!r}")


def gamma_limit(count: int, gamma: float | None) -> int:
    """How many of `count` videos a γ-capped ranking keeps: ⌈γ·count⌉, so γ > 0 keeps at least one."""
    if gamma is None:
        return count
    # The epsilon keeps float noise (0.1 * 30 = 3.0000000000000004) from adding a video.
    return min(count, max(1, math.ceil(gamma * count - 1e-9)))


def random_order(count: int, seed: int | Sequence[int]) -> list[int]:
    return np.random.default_rng(seed).permutation(count).tolist()


def herding_order(points: np.ndarray, limit: int) -> list[int]:
    """iCaRL herding: the k-th pick brings the mean of the picks closest to the mean of all points.

    Ties go to the lowest index (argmin returns the first minimum).
    """
    points = np.asarray(points, dtype=np.float64)
    target = points.mean(axis=0)
    picked_sum = np.zeros_like(target)
    available = np.ones(len(points), dtype=bool)
    order: list[int] = []
    for step in range(1, limit + 1):
        gaps = np.linalg.norm(target - (picked_sum + points) / step, axis=1)
        gaps[~available] = np.inf
        choice = int(np.argmin(gaps))
        order.append(choice)
        available[choice] = False
        picked_sum += points[choice]
    return order


def transcript_distances(transcripts: Sequence[Sequence[int]]) -> np.ndarray:
    """P Eq. 9: Levenshtein distance over segment labels divided by the longer transcript's length."""
    return process.cdist(transcripts, transcripts, scorer=Levenshtein.normalized_distance, dtype=np.float64)


def diverse_order(transcripts: Sequence[Sequence[int]], first: int, limit: int) -> list[int]:
    """P Eq. 10: greedy farthest-point sampling under the transcript distance, starting at `first`.

    Each next pick maximises the distance to its nearest already-picked transcript; ties (for
    instance among identical transcripts, all at distance 0) go to the lowest index.
    """
    distances = transcript_distances(transcripts)
    nearest = distances[first].copy()
    available = np.ones(len(transcripts), dtype=bool)
    available[first] = False
    order = [first]
    while len(order) < limit:
        candidates = np.where(available, nearest, -np.inf)
        choice = int(np.argmax(candidates))
        order.append(choice)
        available[choice] = False
        np.minimum(nearest, distances[choice], out=nearest)
    return order


def rank_videos(
    videos: Sequence[Video], method: str, seed: int | Sequence[int], gamma: float | None = None
) -> list[int]:
    """Indices of `videos`, best first: all of them, or the first ⌈γ·N⌉ when `gamma` is given.

    random: a seeded permutation. herding: iCaRL herding on each video's mean feature.
    diverse: farthest-point sampling on transcripts from a seeded first pick.
    """
    check_selection(method, gamma)
    if not videos:
        return []
    limit = gamma_limit(len(videos), gamma)
    if method == "random":
        return random_order(len(videos), seed)[:limit]
    if method == "herding":
        means = np.stack([video.features.mean(axis=0, dtype=np.float64) for video in videos])
        return herding_order(means, limit)
    first = int(np.random.default_rng(seed).integers(len(videos)))
    return diverse_order([video.transcript() for video in videos], first, limit)
