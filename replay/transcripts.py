"""Symbolic sequences: per video the ordered segment labels and lengths, and what follows from them.

Latent and generative memories store only these plus codes; the per-frame labels and the
coherence variable c_i = (i-1)/max(l-1, 1) that the TCA decoder is conditioned on are rebuilt from
them, vectorised over every segment of every video at once.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tasks.video import Video, coherence, segments

# int32 is ample for class ids and segment lengths and halves the bytes of int64.
TRANSCRIPT_DTYPE = np.int32


@dataclass(frozen=True)
class Transcripts:
    """Segments of several videos, concatenated in video order.

    labels, lengths: (S,) per segment; segments_per_video: (V,) how many of them belong to each video.
    """

    labels: np.ndarray
    lengths: np.ndarray
    segments_per_video: np.ndarray

    @classmethod
    def from_videos(cls, videos: list[Video]) -> "Transcripts":
        labels, lengths, counts = [], [], []
        for video in videos:
            seg_labels, starts, ends = segments(video.labels)
            labels.append(seg_labels)
            lengths.append(ends - starts)
            counts.append(len(seg_labels))
        return cls(
            labels=np.concatenate(labels).astype(TRANSCRIPT_DTYPE) if videos else _empty(),
            lengths=np.concatenate(lengths).astype(TRANSCRIPT_DTYPE) if videos else _empty(),
            segments_per_video=np.asarray(counts, dtype=TRANSCRIPT_DTYPE),
        )

    @classmethod
    def join(cls, parts: Sequence[Mapping[str, np.ndarray]]) -> "Transcripts":
        """Inverse of `split`: one Transcripts from per-video {"labels", "lengths"} arrays, in order."""
        return cls(
            labels=np.concatenate([part["labels"] for part in parts]) if parts else _empty(),
            lengths=np.concatenate([part["lengths"] for part in parts]) if parts else _empty(),
            segments_per_video=np.asarray([len(part["labels"]) for part in parts], dtype=TRANSCRIPT_DTYPE),
        )

    def split(self) -> list[dict[str, np.ndarray]]:
        """Per video its own {"labels", "lengths"} arrays (copies, so dropping one video frees its
        bytes instead of pinning a shared buffer)."""
        if self.num_videos == 0:
            return []
        bounds = np.cumsum(self.segments_per_video, dtype=np.int64)[:-1]
        return [
            {"labels": labels.copy(), "lengths": lengths.copy()}
            for labels, lengths in zip(np.split(self.labels, bounds), np.split(self.lengths, bounds))
        ]

    @property
    def num_videos(self) -> int:
        return len(self.segments_per_video)

    @property
    def num_segments(self) -> int:
        return len(self.lengths)

    @property
    def num_frames(self) -> int:
        return int(self.lengths.sum())

    @property
    def nbytes(self) -> int:
        return self.labels.nbytes + self.lengths.nbytes + self.segments_per_video.nbytes

    def video_of_segment(self) -> np.ndarray:
        return np.repeat(np.arange(self.num_videos), self.segments_per_video)

    def frames_per_video(self) -> np.ndarray:
        """(V,) frames of each video (sum of its segment lengths)."""
        totals = np.zeros(self.num_videos, dtype=np.int64)
        np.add.at(totals, self.video_of_segment(), self.lengths.astype(np.int64))
        return totals

    def frame_labels(self) -> np.ndarray:
        """(N,) int64 label of every frame of every video, in order."""
        return np.repeat(self.labels.astype(np.int64), self.lengths)

    def coherence(self) -> np.ndarray:
        return coherence(self.lengths)

    def select(self, videos: np.ndarray | list[int]) -> "Transcripts":
        """The transcripts of the given videos (by index), in the given order."""
        videos = np.asarray(videos, dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(self.segments_per_video, dtype=np.int64)])
        counts = self.segments_per_video[videos].astype(np.int64)
        rows = np.repeat(first[videos] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        return Transcripts(self.labels[rows], self.lengths[rows], self.segments_per_video[videos])


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=TRANSCRIPT_DTYPE)


def transcript_nbytes(num_segments: int) -> int:
    """Bytes one video's transcript holds: a label and a length per segment."""
    return 2 * num_segments * np.dtype(TRANSCRIPT_DTYPE).itemsize
