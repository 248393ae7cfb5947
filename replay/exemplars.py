"""Exemplar memories on real features (T, P): `original` keeps whole videos; `mean` keeps per segment
the mean feature and replays it tiled over the segment (T's "Exemplar", P's "Mean"); `coreset` keeps
per segment the frame nearest that mean, tiled (P's "Coreset": herding with one pick).

`original` with `noise: residual` is an ablation, not a paper's method: the real frames plus fresh
draws of the noise `mean-residual` adds (measured around each segment's mean), so the two differ only
in what carries the noise — the real frames or their segment means.

Every memory stores each kept video's transcript as run-length int32 arrays (segment labels and
lengths, counted under `transcripts`): lossless, and for `original` far smaller than one int64 label
per frame. Features are float32 and counted under `features`.
"""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from replay.memory import MemoryContext
from replay.reconstructing import ReconstructingMemory
from replay.stored import State, StoredVideo, replay_name, split_videos
from replay.transcripts import Transcripts, transcript_nbytes
from tasks.video import Video, segments

# Frames per batched tensor pass: bounds device memory at paper scale (2048-d, thousands of frames
# per video) while keeping one tensor pass over many videos at the quick scale.
MAX_BATCH_FRAMES = 1 << 16
FEATURE_DTYPE = np.dtype(np.float32)


class OriginalMemory(ReconstructingMemory):
    """Real float32 features of the kept videos, replayed as they are (with `noise: residual`, plus
    the within-segment noise measured around their segment means)."""

    def video_cost(self, video: Video) -> dict[str, int]:
        return {
            "features": video.num_frames * video.dim * FEATURE_DTYPE.itemsize,
            "transcripts": transcript_nbytes(len(segments(video.labels)[0])),
        }

    def encode(self, task: int, videos: Sequence[Video], state: State, ctx: MemoryContext) -> list[StoredVideo]:
        return [
            StoredVideo(
                video.name,
                video.activity,
                video.num_frames,
                {"features": np.array(video.features, dtype=FEATURE_DTYPE), "transcripts": transcript},
            )
            for video, transcript in zip(videos, Transcripts.from_videos(list(videos)).split())
        ]

    def reconstruction(
        self, task: int, videos: Sequence[Video], kept: Sequence[Video], records: Sequence[StoredVideo],
        state: State, ctx: MemoryContext,
    ) -> tuple[Transcripts, torch.Tensor, torch.Tensor]:
        """The kept frames and their segment means tiled: the residual `mean` measures."""
        transcripts = Transcripts.from_videos(list(kept))
        real = torch.from_numpy(np.concatenate([video.features for video in kept])).to(ctx.device)
        lengths = torch.from_numpy(transcripts.lengths.astype(np.int64)).to(ctx.device)
        return transcripts, real, torch.repeat_interleave(segment_means(real, lengths), lengths, dim=0)

    def decode(self, task: int, records: Sequence[StoredVideo], state: State, device: torch.device) -> list[Video]:
        if not records:
            return []
        transcripts = Transcripts.join([record.held["transcripts"] for record in records])
        if "noise" in state:
            frames = torch.from_numpy(np.concatenate([record.held["features"] for record in records])).to(device)
            return split_videos(task, records, transcripts, self.regenerate(task, frames, transcripts, state))
        labels = np.split(transcripts.frame_labels(), np.cumsum(transcripts.frames_per_video())[:-1])
        return [
            Video(replay_name(task, record.name), record.activity, record.held["features"], frame_labels)
            for record, frame_labels in zip(records, labels)
        ]


def _frame_batches(videos: Sequence[Video], max_frames: int) -> Iterator[Sequence[Video]]:
    """Consecutive runs of videos of at most `max_frames` frames together (a longer video alone)."""
    start, frames = 0, 0
    for index, video in enumerate(videos):
        if index > start and frames + video.num_frames > max_frames:
            yield videos[start:index]
            start, frames = index, 0
        frames += video.num_frames
    if start < len(videos):
        yield videos[start:]


class SegmentSummaryMemory(ReconstructingMemory):
    """One D-dim float32 row per segment (`summarise`), replayed tiled over the segment's frames."""

    @abstractmethod
    def summarise(self, frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(F, D) frames of consecutive segments of the given lengths → (S, D) one row per segment."""

    def video_cost(self, video: Video) -> dict[str, int]:
        num_segments = len(segments(video.labels)[0])
        return {
            "features": num_segments * video.dim * FEATURE_DTYPE.itemsize,
            "transcripts": transcript_nbytes(num_segments),
        }

    def encode(self, task: int, videos: Sequence[Video], state: State, ctx: MemoryContext) -> list[StoredVideo]:
        rows: list[np.ndarray] = []
        per_video: list[dict[str, np.ndarray]] = []
        for batch in _frame_batches(videos, MAX_BATCH_FRAMES):
            transcripts = Transcripts.from_videos(list(batch))
            frames = np.concatenate([video.features for video in batch]).astype(FEATURE_DTYPE, copy=False)
            lengths = torch.from_numpy(transcripts.lengths.astype(np.int64))
            summary = self.summarise(torch.from_numpy(frames).to(ctx.device), lengths.to(ctx.device))
            summary = summary.cpu().numpy()
            bounds = np.cumsum(transcripts.segments_per_video, dtype=np.int64)[:-1]
            rows.extend(part.copy() for part in np.split(summary, bounds))
            per_video.extend(transcripts.split())
        return [
            StoredVideo(
                video.name, video.activity, video.num_frames, {"features": video_rows, "transcripts": transcript}
            )
            for video, video_rows, transcript in zip(videos, rows, per_video)
        ]

    def decode(self, task: int, records: Sequence[StoredVideo], state: State, device: torch.device) -> list[Video]:
        if not records:
            return []
        transcripts = Transcripts.join([record.held["transcripts"] for record in records])
        rows = torch.from_numpy(np.concatenate([record.held["features"] for record in records])).to(device)
        lengths = torch.from_numpy(transcripts.lengths.astype(np.int64)).to(device)
        frames = self.regenerate(task, torch.repeat_interleave(rows, lengths, dim=0), transcripts, state)
        return split_videos(task, records, transcripts, frames)


def segment_means(frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(S, D) mean frame of each run of consecutive frames; a segmented reduction, no atomics."""
    return torch.segment_reduce(frames, "mean", lengths=lengths, axis=0)


def segment_nearest_to_mean(frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(S, D) the frame of each segment nearest (L2) to the segment's mean; ties → earliest frame."""
    segment_of_frame = torch.repeat_interleave(torch.arange(len(lengths), device=frames.device), lengths)
    gaps = (frames - segment_means(frames, lengths)[segment_of_frame]).square().sum(dim=1)
    smallest = torch.full((len(lengths),), torch.inf, device=frames.device).scatter_reduce(
        0, segment_of_frame, gaps, "amin"
    )
    frame_index = torch.arange(len(frames), device=frames.device)
    candidates = torch.where(gaps == smallest[segment_of_frame], frame_index, len(frames))
    nearest = torch.full((len(lengths),), len(frames), device=frames.device).scatter_reduce(
        0, segment_of_frame, candidates, "amin"
    )
    return frames[nearest]


class MeanMemory(SegmentSummaryMemory):
    """Per segment the mean feature + (label, length); replays the mean tiled (T's "Exemplar")."""

    def summarise(self, frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return segment_means(frames, lengths)


class CoresetMemory(SegmentSummaryMemory):
    """Per segment the real frame nearest the segment mean; replays that frame tiled (P's Coreset)."""

    def summarise(self, frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return segment_nearest_to_mean(frames, lengths)
