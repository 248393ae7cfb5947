"""Feature statistics that decide which replay memory works, measured from labelled videos alone
(no generator ground truth): per-dimension scale, the white share of within-segment variance,
lag-1 autocorrelation, class separability.

All statistics are computed on scaled features: each dimension divided by its within-segment std
(frames around their segment's mean, over the training videos), so that dimensions in different
units (kinematics in mm and radians) weigh alike. Not the overall std: that includes the class
means, and dividing by it would make white noise of equal variance in every dimension unequal.

**White share: the within-segment variogram's nugget, in the per-class noise floor.**
Within a segment, a frame is x_t = s_t + w_t: s a structured part (the action's trajectory, the
instance's pace and amplitude) and w white noise, independent across frames and isotropic across
the (scaled) dimensions. The sill is the within-segment variance V (squared deviations from each
segment's mean, per dimension, over all frames). The white part shows in two ways, and each alone
over-counts: (1) it is the nugget of the variogram γ(h) = ½ E|x_{t+h} − x_t|² / D, its limit at
lag 0 — but at a low frame rate a structured trajectory moves as much between two frames as noise
does; (2) it is the floor of the spectrum of the within-segment covariance of one class — but real
features also move smoothly along many directions. So the estimator takes both:

1. per class, the eigenvectors of the within-segment covariance; its lower half (D − ⌈D/2⌉
   directions) is the class's noise floor. The eigenvectors come from one half of the videos and
   are applied to the other half (even/odd videos, then swapped): the smallest eigenvalues of a
   sample covariance are biased low, projections of independent data are not;
2. in that floor, γ(1) and γ(2) from pairs of frames inside segments of ≥ 3 frames; the nugget
   extrapolated from them as for a differentiable (smooth) structured part, γ(h) ≈ n + a·h²:
   n = (4γ(1) − γ(2)) / 3, clipped to [0, γ(1)];
3. white share = n·κ / V, where κ = Σ(ℓ − 1) / Σℓ over segments is the fraction of a white frame's
   variance left after subtracting its segment's mean (V is measured the same way).

On the procedural generator, whose white share is known from its own components, this lands within
±5 points at every regime-map point (tests/tasks/test_profile.py). It assumes white noise of equal
variance in every scaled dimension and a structured part that is, per class, of lower rank than
D/2 or smooth over two frames.

**Lag-1 autocorrelation** = 1 − γ(1)/σ̂², σ̂² = V/κ (the variance a white process would need to give
V): 0 for white noise, near 1 for features that barely change from one frame to the next.
**Separability**: between-class over within-class variance (traces, frame-weighted), and the frame
accuracy of the nearest class mean (means from the training videos, frames of the test videos).
"""
from __future__ import annotations

import math

import numpy as np
from threadpoolctl import threadpool_limits

from tasks.errors import DataError
from tasks.video import Video, segments

MIN_SEGMENT = 3  # the nugget extrapolation needs lags 1 and 2 inside a segment
VARIOGRAM_LAGS = 10
# Below this dimension the per-class eigendecompositions are tiny: BLAS threads cost more than they
# save (measured 20x slower on a busy 2-core machine), so they run on one.
THREADED_DIM = 512


def dimension_scale(videos: list[Video]) -> np.ndarray:
    """Per-dimension std over all frames of `videos` (what a reader of the raw files sees)."""
    return np.concatenate([v.features for v in videos]).astype(np.float64).std(0)


def within_segment_scale(videos: list[Video]) -> np.ndarray:
    """Per-dimension std of frames around their segment's mean; 1 where a dimension never moves."""
    sums, frames = 0.0, 0
    for video in videos:
        _, starts, ends = segments(video.labels)
        features = video.features.astype(np.float64)
        for s, e in zip(starts, ends):
            sums = sums + np.square(features[s:e] - features[s:e].mean(0)).sum(0)
            frames += e - s
    std = np.sqrt(sums / frames)
    return np.where(std > 0, std, 1.0)


def _class_segments(videos: list[Video], scale: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(fold, class, (ℓ, D) scaled frames) of every segment; fold = video index parity."""
    out = []
    for index, video in enumerate(videos):
        features = video.features.astype(np.float64) / scale
        labels, starts, ends = segments(video.labels)
        out += [(index % 2, int(c), features[s:e]) for c, s, e in zip(labels, starts, ends)]
    return out


def _variogram_sums(segs: list[np.ndarray], lags: int, basis: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ½|x_{t+h} − x_t|² and pair counts (× dims) for h = 1..lags inside segments."""
    sums, counts = np.zeros(lags + 1), np.zeros(lags + 1)
    for frames in segs:
        if basis is not None:
            frames = frames @ basis
        for h in range(1, min(lags, len(frames) - 1) + 1):
            diff = frames[h:] - frames[:-h]
            sums[h] += 0.5 * float(np.einsum("td,td->", diff, diff))
            counts[h] += diff.size
    return sums, counts


def _floor_basis(segs: list[np.ndarray], dim: int) -> np.ndarray | None:
    """The lower half of the eigenvectors of the within-segment covariance of `segs`."""
    centred = [s - s.mean(0) for s in segs if len(s) > 1]
    if not centred:
        return None
    frames = np.concatenate(centred)
    _, vectors = np.linalg.eigh(frames.T @ frames)
    return vectors[:, : dim - math.ceil(dim / 2)]


def white_noise(videos: list[Video], scale: np.ndarray) -> dict:
    """The nugget estimator of the module docstring; variances are per scaled dimension."""
    segs = _class_segments(videos, scale)
    lengths = np.array([len(s) for _, _, s in segs])
    if not (lengths >= MIN_SEGMENT).any():
        raise DataError(f"no segment of at least {MIN_SEGMENT} frames: the variogram needs lags 1 and 2 "
                        "inside a segment (at this sample rate)")
    dim = segs[0][2].shape[1]
    within = float(sum(np.square(s - s.mean(0)).sum() for _, _, s in segs)) / (lengths.sum() * dim)
    kappa = float((lengths - 1).sum() / lengths.sum())
    floor_sums, floor_counts = np.zeros(3), np.zeros(3)
    for label in sorted({c for _, c, _ in segs}):
        for fold in (0, 1):
            basis = _floor_basis([s for f, c, s in segs if c == label and f == fold], dim)
            held_out = [s for f, c, s in segs if c == label and f != fold and len(s) >= MIN_SEGMENT]
            if basis is not None and basis.shape[1] and held_out:
                sums, counts = _variogram_sums(held_out, 2, basis)
                floor_sums, floor_counts = floor_sums + sums, floor_counts + counts
    if not floor_counts[2]:
        raise DataError(f"no class has segments of at least {MIN_SEGMENT} frames in both halves of the videos "
                        "(even and odd); the white-noise estimator needs them")
    gamma1, gamma2 = floor_sums[1] / floor_counts[1], floor_sums[2] / floor_counts[2]
    nugget = float(np.clip((4 * gamma1 - gamma2) / 3, 0.0, gamma1))
    sums, counts = _variogram_sums([s for _, _, s in segs], 1)
    sill = within / kappa if kappa > 0 else within
    share = float(np.clip(nugget * kappa / within, 0.0, 1.0)) if within > 0 else 0.0
    lag1 = float(np.clip(1 - sums[1] / counts[1] / sill, -1.0, 1.0)) if sill > 0 else 1.0
    return {"white_share": share, "white_variance": nugget, "within_segment_variance": within,
            "white_process_variance": sill, "kappa": kappa, "lag1_autocorrelation": lag1,
            "floor_gamma": [float(gamma1), float(gamma2)]}


def variograms(videos: list[Video], scale: np.ndarray, actions: list[str],
               lags: int = VARIOGRAM_LAGS) -> dict:
    """γ(h)/σ̂² for h = 1..lags, pooled and per class (1 everywhere for white noise)."""
    segs = _class_segments(videos, scale)
    lengths = np.array([len(s) for _, _, s in segs])
    dim = segs[0][2].shape[1]
    within = sum(np.square(s - s.mean(0)).sum() for _, _, s in segs) / (lengths.sum() * dim)
    sill = within * lengths.sum() / max((lengths - 1).sum(), 1) or 1.0

    def normalised(group: list[np.ndarray]) -> list[float | None]:
        sums, counts = _variogram_sums(group, lags)
        return [float(sums[h] / counts[h] / sill) if counts[h] else None for h in range(1, lags + 1)]

    per_class = {actions[label]: normalised([s for _, c, s in segs if c == label])
                 for label in sorted({c for _, c, _ in segs})}
    return {"lags": list(range(1, lags + 1)), "pooled": normalised([s for _, _, s in segs]),
            "per_class": per_class}


def separability(train: list[Video], test: list[Video], scale: np.ndarray) -> dict:
    """Between/within-class variance ratio on the training frames; nearest-class-mean frame accuracy
    on the test frames (classes absent from training count as errors)."""
    x = np.concatenate([v.features for v in train]).astype(np.float64) / scale
    y = np.concatenate([v.labels for v in train])
    classes = np.unique(y)
    means = np.stack([x[y == c].mean(0) for c in classes])
    index = np.searchsorted(classes, y)
    within = float(np.square(x - means[index]).sum())
    between = float(np.square(means[index] - x.mean(0)).sum())
    correct = total = 0
    for video in test:
        frames = video.features.astype(np.float64) / scale
        dist = np.square(frames).sum(1)[:, None] - 2 * frames @ means.T + np.square(means).sum(1)[None]
        correct += int((classes[dist.argmin(1)] == video.labels).sum())
        total += len(video.labels)
    return {"separability": between / within if within > 0 else None,
            "nearest_mean_accuracy": correct / total if total else float("nan")}


def _spread(scale: np.ndarray) -> dict:
    return {"min": float(scale.min()), "median": float(np.median(scale)), "max": float(scale.max()),
            "max_over_min": float(scale.max() / scale.min()) if scale.min() > 0 else None,
            "per_dimension": [float(s) for s in scale]}


def feature_statistics(train: list[Video], test: list[Video], actions: list[str]) -> dict:
    """Every feature-side statistic of the module docstring (train frames; test for accuracy)."""
    scale = within_segment_scale(train)
    with threadpool_limits(limits=None if len(scale) > THREADED_DIM else 1, user_api="blas"):
        return _statistics(train, test, actions, scale)


def _statistics(train: list[Video], test: list[Video], actions: list[str], scale: np.ndarray) -> dict:
    noise = white_noise(train, scale)
    return {
        **{key: noise[key] for key in ("white_share", "lag1_autocorrelation")},
        **separability(train, test, scale),
        "white_noise": {key: value for key, value in noise.items() if key not in ("white_share", "lag1_autocorrelation")},
        "dimension_scale": _spread(dimension_scale(train)),
        "within_segment_scale": _spread(scale),
        "variogram": variograms(train, scale, actions),
    }
