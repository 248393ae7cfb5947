"""Procedural-like videos for the replay tests: per class a start and an end prototype, the frame at
progress c between them, a per-video offset in a low-dimensional subspace, and small noise."""
from __future__ import annotations


import numpy as np

from tasks.video import Video


def procedural_videos(
    num_videos: int = 8,
    num_classes: int = 5,
    dim: int = 16,
    subspace: int = 2,
    min_len: int = 4,
    max_len: int = 20,
    noise: float = 0.05,
    seed: int = 0,
) -> list[Video]:
    rng = np.random.default_rng(seed)
    start = rng.normal(size=(num_classes, dim))
    end = rng.normal(size=(num_classes, dim))
    directions = rng.normal(size=(subspace, dim)) / np.sqrt(subspace)
    videos = []
    for v in range(num_videos):
        seg_labels = rng.permutation(num_classes)[: rng.integers(2, num_classes + 1)]
        lengths = rng.integers(min_len, max_len + 1, size=len(seg_labels))
        offset = rng.normal(size=subspace) @ directions
        frames = []
        for label, length in zip(seg_labels, lengths):
            c = np.linspace(0.0, 1.0, length)[:, None]
            frames.append((1 - c) * start[label] + c * end[label] + offset)
        features = np.concatenate(frames)
        features = features + noise * rng.normal(size=features.shape)
        videos.append(Video(f"v{v}", "act", features.astype(np.float32), np.repeat(seg_labels, lengths).astype(np.int64)))
    return videos
