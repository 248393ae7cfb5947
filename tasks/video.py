"""The data model shared by every layer: one video = per-frame features + per-frame labels."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Video:
    """One video in a label space.

    features: (T, D) float32, frames along axis 0 (the MS-TCN files store (D, T); readers transpose).
    labels:   (T,) int64 class ids in the label space the video belongs to.
    """

    name: str
    activity: str
    features: np.ndarray
    labels: np.ndarray
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.features.ndim != 2 or self.labels.ndim != 1 or len(self.features) != len(self.labels):
            raise ValueError(
                f"video {self.name}: features {self.features.shape} and labels {self.labels.shape} "
                "must be (T, D) and (T,)"
            )

    @property
    def num_frames(self) -> int:
        return len(self.labels)

    @property
    def dim(self) -> int:
        return self.features.shape[1]

    def transcript(self) -> list[int]:
        return segments(self.labels)[0].tolist()


def segments(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-length segments of a label sequence: (segment labels, starts, ends), ends exclusive."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return labels[:0], empty, empty
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    ends = np.concatenate([change, [len(labels)]]).astype(np.int64)
    return labels[starts], starts, ends


def tile_segments(seg_labels: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Inverse of `segments`: per-frame labels from segment labels and lengths."""
    return np.repeat(np.asarray(seg_labels), np.asarray(lengths))


def coherence(lengths: np.ndarray) -> np.ndarray:
    """(sum l,) float32 c_i = (i-1)/max(l-1, 1) of every frame of consecutive segments (0 when l = 1)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(lengths.sum()) - np.repeat(starts, lengths)
    return (position / np.repeat(np.maximum(lengths - 1, 1), lengths)).astype(np.float32)
