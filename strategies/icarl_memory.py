"""iCaRL's exemplar memory for TAS: herded frames kept as short clips of real features and labels.

Part of the iCaRL-for-TAS EXTENSION (not in P or T; see strategies/icarl.py).

Selection. After a task trains, each of its classes is herded (iCaRL's rule: the k-th pick brings
the mean of the picks closest to the class mean) on the L2-normalised per-frame embeddings of the
task's training frames. The per-class orders are interleaved round-robin (rank 0 of every class in
ascending class id, then rank 1, ...) into one task ranking, so cutting its tail removes the
last-herded exemplars of all classes evenly, as iCaRL's m = K / classes does.

Storage. Each pick is kept as a clip of `clip` frames centred on it (shifted to stay inside the
video, shorter when the video is): float32 features (counted as `features`) and one int32 label per
frame (counted as `transcripts`; int32 like replay.transcripts, and a fixed per-frame cost keeps a
clip's bytes known before training, which `check_feasible` needs). Overlapping clips are stored
separately and counted separately.

Budget (a replay.budget.Budget, split equally over the seen tasks like every memory):
- `videos: N`: a task may keep video_quota × `clips_per_video` clips, i.e. `clips_per_video` clips
  stand for one video. This is a convention, not a frame match: 8 clips of 8 frames hold far fewer
  frames than a real video, so compare memories on byte budgets for equal storage.
- `bytes: B`: a task keeps the best-ranked clips whose bytes fit its share (greedy, as
  replay.budget.fit_videos). No fixed per-task state is held here; the frozen previous model used
  for distillation is not counted, as in iCaRL.
Shares only shrink, so eviction keeps a prefix-fit of each task's ranking.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from replay.budget import Budget, fit_videos, format_bytes
from replay.exemplars import FEATURE_DTYPE
from replay.held import component_nbytes, total_by_component
from replay.memory import MemoryContext
from replay.stored import replay_name
from replay.transcripts import TRANSCRIPT_DTYPE
from tasks.errors import DataError
from tasks.video import Video



def herd(points: torch.Tensor, count: int) -> torch.Tensor:
    """iCaRL herding on (N, E) points: (count,) long indices, without repeats, on points' device.

    The tensor twin of replay.selection.herding_order (same rule, ties to the lowest index):
    minimising ‖k·μ − S − x‖² over candidates x equals minimising ‖x‖² − 2·x·(k·μ − S), one
    matrix-vector product per pick and no sync with the host.
    """
    count = min(count, len(points))
    target = points.mean(dim=0)
    squared = (points * points).sum(dim=1)
    picked_sum = torch.zeros_like(target)
    taken = torch.zeros(len(points), dtype=torch.bool, device=points.device)
    order = torch.empty(count, dtype=torch.long, device=points.device)
    for step in range(1, count + 1):
        gaps = (squared - 2 * points @ (step * target - picked_sum)).masked_fill(taken, float("inf"))
        choice = gaps.argmin()
        order[step - 1] = choice
        taken[choice] = True
        picked_sum += points[choice]
    return order


def round_robin_counts(sizes: Sequence[int], total: int) -> list[int]:
    """How many of each pool a round-robin over the pools (in order, skipping empty ones) takes
    when it stops after `total` picks: water-filling to a level L, the remainder going one each to
    the first pools larger than L."""
    sizes = [int(size) for size in sizes]
    total = min(int(total), sum(sizes))
    low, high = 0, max(sizes, default=0)
    while low < high:  # the largest level whose full rounds fit in `total`
        middle = (low + high + 1) // 2
        if sum(min(size, middle) for size in sizes) <= total:
            low = middle
        else:
            high = middle - 1
    level = low
    counts = [min(size, level) for size in sizes]
    remainder = total - sum(counts)
    for pool, size in enumerate(sizes):
        if remainder == 0:
            break
        if size > level:
            counts[pool] += 1
            remainder -= 1
    return counts


def interleave(orders: Sequence[Sequence[int]]) -> list[int]:
    """Round-robin merge: rank 0 of every order, then rank 1, ..., skipping exhausted orders."""
    merged = []
    for rank in range(max((len(order) for order in orders), default=0)):
        merged.extend(order[rank] for order in orders if rank < len(order))
    return merged


def clip_bounds(centres: np.ndarray, lengths: np.ndarray, clip: int) -> tuple[np.ndarray, np.ndarray]:
    """Clips of `clip` frames around `centres` in videos of `lengths` frames: (starts, ends), ends
    exclusive. The centre sits at offset clip // 2, the window slides to stay inside the video and
    is the whole video when that is shorter than `clip`."""
    centres, lengths = np.asarray(centres, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
    starts = np.clip(centres - clip // 2, 0, np.maximum(lengths - clip, 0))
    return starts, np.minimum(starts + clip, lengths)


def clip_cost(frames: int, dim: int) -> int:
    """Bytes of a stored clip: float32 features and one int32 label per frame."""
    return frames * (dim * FEATURE_DTYPE.itemsize + np.dtype(TRANSCRIPT_DTYPE).itemsize)


@dataclass
class Clip:
    """One exemplar: the frames [start, start + len) of a training video around a herded frame."""

    video: str
    activity: str
    start: int
    class_id: int  # the class the herded centre frame was chosen for
    features: np.ndarray  # (L, D) float32
    labels: np.ndarray  # (L,) int32

    @property
    def num_frames(self) -> int:
        return len(self.labels)

    def nbytes(self) -> int:
        return self.features.nbytes + self.labels.nbytes


class ClipMemory:
    """Per task, exemplar clips in herding rank order under a replay budget.

    Reports like replay.stored.SelectedVideoMemory (`nbytes`, `nbytes_by_task`, `stored`,
    `check_feasible`, `replay`); `add_task` takes the task's per-frame embeddings, because the
    selection needs the trained model (the iCaRL plugin computes them). In `stored()` and
    memory.csv, "videos" counts clips, since each clip is replayed as one short video.
    """

    def __init__(self, budget: Budget, clip: int = 8, clips_per_video: int = 8):
        self.budget = Budget.parse(budget)
        self.clip = clip
        self.clips_per_video = clips_per_video
        self._tasks: dict[int, list[Clip]] = {}

    # ---- budget shares -------------------------------------------------------------------------

    def _limits(self, rank: int, seen: int) -> tuple[int | None, int | None]:
        """(max clips, max bytes) of the `rank`-th of `seen` tasks."""
        quota = self.budget.video_quota(rank, seen)
        return (None if quota is None else quota * self.clips_per_video), self.budget.byte_quota(seen, 0)

    def _largest_clip(self, videos: Sequence[Video]) -> int:
        return clip_cost(min(self.clip, max(video.num_frames for video in videos)), videos[0].dim)

    def check_feasible(self, task_videos: Sequence[Sequence[Video]], ctx: MemoryContext | None = None) -> None:
        """DataError unless every task can keep at least one clip at every step.

        With a byte budget the share must hold the largest clip a task can produce (min(clip,
        longest video) frames), since which frame herding picks first is known only after training.
        """
        for seen in range(1, len(task_videos) + 1):
            for task, videos in enumerate(task_videos[:seen]):
                if not videos:
                    raise DataError(f"memory icarl: task {task} has no training videos")
                max_clips, share = self._limits(task, seen)
                if max_clips == 0:
                    raise DataError(f"budget {self.budget.label} cannot hold one clip of task {task} once "
                                    f"{seen} tasks share it (0 videos per task)")
                if share is not None and share < self._largest_clip(videos):
                    raise DataError(
                        f"budget {self.budget.label} cannot hold one clip of task {task} once {seen} tasks "
                        f"share it (share {format_bytes(share)} per task; a clip needs "
                        f"{format_bytes(self._largest_clip(videos))})"
                    )

    # ---- selection -----------------------------------------------------------------------------

    def _candidate_count(self, videos: Sequence[Video], max_clips: int | None, share: int | None) -> int:
        """An upper bound on the clips the new task can keep: its clip quota, or its byte share over
        the smallest clip it can produce."""
        if max_clips is not None:
            return max_clips
        smallest = clip_cost(min(self.clip, min(video.num_frames for video in videos)), videos[0].dim)
        return share // smallest

    def rank_frames(self, labels: torch.Tensor, embeddings: torch.Tensor, count: int) -> list[int]:
        """Indices into the task's frames: per class herding, interleaved over classes by id."""
        classes = torch.unique(labels)
        members = [torch.nonzero(labels == c).squeeze(1) for c in classes]
        counts = round_robin_counts([len(m) for m in members], count)
        orders = [m[herd(embeddings[m], k)].tolist() for m, k in zip(members, counts) if k > 0]
        return interleave(orders)

    def _cut(self, videos: Sequence[Video], frames: list[int]) -> list[Clip]:
        lengths = np.array([video.num_frames for video in videos], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        frames = np.asarray(frames, dtype=np.int64)
        owner = np.searchsorted(offsets, frames, side="right") - 1
        centres = frames - offsets[owner]
        starts, ends = clip_bounds(centres, lengths[owner], self.clip)
        clips = []
        for v, centre, start, end in zip(owner, centres, starts, ends):
            video = videos[v]
            clips.append(Clip(
                video.name, video.activity, int(start), int(video.labels[centre]),
                np.array(video.features[start:end], dtype=FEATURE_DTYPE),
                video.labels[start:end].astype(TRANSCRIPT_DTYPE),
            ))
        return clips

    def add_task(self, task: int, videos: Sequence[Video], embeddings: torch.Tensor) -> None:
        """Store exemplar clips of a trained task and shrink older tasks' shares.

        embeddings: (N, E) normalised per-frame embeddings of `videos`' frames, concatenated in order.
        """
        if task in self._tasks:
            raise ValueError(f"task {task} was already added to the memory")
        if not videos:
            raise DataError(f"memory icarl: task {task} has no training videos")
        frames = sum(video.num_frames for video in videos)
        if len(embeddings) != frames:
            raise ValueError(f"{len(embeddings)} embeddings for {frames} frames of task {task}")
        seen = len(self._tasks) + 1
        max_clips, share = self._limits(seen - 1, seen)
        labels = torch.from_numpy(np.concatenate([video.labels for video in videos])).to(embeddings.device)
        ranked = self._cut(videos, self.rank_frames(labels, embeddings, self._candidate_count(videos, max_clips, share)))

        kept = {}
        for rank, (held_task, clips) in enumerate([*self._tasks.items(), (task, ranked)]):
            positions = fit_videos([clip.nbytes() for clip in clips], *self._limits(rank, seen))
            if not positions:
                raise DataError(f"budget {self.budget.label} cannot hold one clip of task {held_task} "
                                f"once {seen} tasks share it")
            kept[held_task] = [clips[p] for p in positions]
        self._tasks = kept

    # ---- what is held --------------------------------------------------------------------------

    @property
    def clips(self) -> dict[int, list[Clip]]:
        """Held clips per task, best-ranked first (read-only view)."""
        return {task: list(clips) for task, clips in self._tasks.items()}

    def replay(self, device: torch.device | None = None) -> list[Video]:
        """Held clips as training videos: each task's clips, in ranking order, joined
        `clips_per_video` at a time into one sequence named 'replay:<task>:<video>@<start>+...'.

        Joining keeps the number of training batches that of replaying whole videos (a video's worth
        of clips per sequence) instead of multiplying it by `clips_per_video`."""
        videos = []
        for task, clips in self._tasks.items():
            for first in range(0, len(clips), self.clips_per_video):
                group = clips[first:first + self.clips_per_video]
                videos.append(Video(
                    replay_name(task, "+".join(f"{clip.video}@{clip.start}" for clip in group)),
                    group[0].activity,
                    np.concatenate([clip.features for clip in group]),
                    np.concatenate([clip.labels for clip in group]).astype(np.int64),
                ))
        return videos

    def nbytes_by_task(self) -> dict[int, dict[str, int]]:
        return {
            task: component_nbytes({
                "features": [clip.features for clip in clips],
                "transcripts": [clip.labels for clip in clips],
            })
            for task, clips in self._tasks.items()
        }

    def nbytes(self) -> dict[str, int]:
        return total_by_component(self.nbytes_by_task().values())

    def stored(self) -> dict[int, dict[str, int]]:
        return {
            task: {"videos": len(clips), "frames": sum(clip.num_frames for clip in clips)}
            for task, clips in self._tasks.items()
        }
