"""Base class for memories that keep, per task, an encoded form of some selected training videos.

A subclass says what one video costs and how it is encoded and decoded; the base class does the
rest of the Memory contract: selection, budget shares, eviction, byte accounting, feasibility.

Hooks (override in a subclass):
- `video_cost(video)`: exact bytes `encode` will hold for this video, by component. Must not
  need training: it is also used before training by `check_feasible`.
- `task_fixed_cost(task, videos, ctx)`: exact bytes of the task-level state `prepare_task` will
  return (for instance decoder parameters, computed from the model sizes), by component.
- `prepare_task(task, videos, ctx)`: task-level state built from all of the task's training
  videos (for instance a trained decoder); a component-keyed mapping of held objects.
- `encode(task, videos, state, ctx)`: one `StoredVideo` per kept video, same order, in one batched
  call per task.
- `finish_cost(task, videos, ctx)` / `finish_task(task, videos, kept, records, state, ctx)`: exact
  bytes, and the task-level state added once the kept videos are encoded (e.g. residual noise
  statistics measured around their reconstruction).
- `decode(task, records, state, device)`: the replay videos of one task, in one batched call.

The base class checks every hook's bytes against what is actually held and raises RuntimeError on
a mismatch, so a subclass cannot under-report. Task-level state is the "fixed cost" that a byte
budget with `count_decoders: false` leaves out.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from replay.budget import Budget, fit_videos, format_bytes
from replay.held import Held, check_finite, complete_costs, component_nbytes, total_by_component
from replay.memory import MemoryContext
from replay.selection import check_selection, rank_videos
from replay.transcripts import Transcripts
from tasks.errors import DataError
from tasks.safe_paths import check_name
from tasks.video import Video


def replay_name(task: int, name: str) -> str:
    """Name of a replayed video: 'replay:<task>:<original name>'."""
    return f"replay:{task}:{name}"


def split_videos(
    task: int, records: Sequence[StoredVideo], transcripts: Transcripts, frames: torch.Tensor
) -> list[Video]:
    """Decoded (N, D) frames of consecutive videos → replay Videos with float32 numpy features."""
    bounds = np.cumsum(transcripts.frames_per_video())[:-1]
    features = np.split(frames.cpu().numpy(), bounds)
    labels = np.split(transcripts.frame_labels(), bounds)
    return [
        Video(replay_name(task, record.name), record.activity, feature, label)
        for record, feature, label in zip(records, features, labels)
    ]


@dataclass
class StoredVideo:
    """One kept video in encoded form. `held` maps components to the arrays that are counted;
    name, activity and frame count are bookkeeping for naming replays and memory.csv, not counted."""

    name: str
    activity: str
    num_frames: int
    held: dict[str, Held]

    def nbytes(self) -> dict[str, int]:
        return component_nbytes(self.held)


@dataclass
class TaskMemory:
    """What the memory holds for one task: task-level state and kept videos, best-ranked first."""

    task: int
    state: State
    records: list[StoredVideo] = field(default_factory=list)


State = dict[str, Held]  # task-level state: component → held objects (e.g. a decoder)


def _total(costs: Mapping[str, int]) -> int:
    return sum(costs.values())


class SelectedVideoMemory(ABC):
    """Implements `replay.memory.Memory` for memories that keep selected videos per task.

    selection: "random" | "herding" | "diverse" (see replay.selection); gamma caps the ranking at
    ⌈γ·N⌉ of a task's N videos; seed: selection seed, None takes the run's seed from the context.
    """

    def __init__(
        self, budget: Budget, selection: str = "random", gamma: float | None = None, seed: int | None = None
    ):
        check_selection(selection, gamma)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise DataError(f"memory seed: expected a non-negative integer or null, got {seed!r}")
        self.budget = Budget.parse(budget)
        self.selection = selection
        self.gamma = gamma
        self.seed = seed
        self._tasks: dict[int, TaskMemory] = {}

    @property
    def _name(self) -> str:
        return type(self).__name__

    # ---- hooks -------------------------------------------------------------------------------

    @abstractmethod
    def video_cost(self, video: Video) -> dict[str, int]:
        """Exact bytes `encode` will hold for `video`, by component."""

    def task_fixed_cost(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, int]:
        return {}

    def prepare_task(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> State:
        return {}

    def finish_cost(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, int]:
        return {}

    def finish_task(
        self, task: int, videos: Sequence[Video], kept: Sequence[Video], records: Sequence[StoredVideo],
        state: State, ctx: MemoryContext,
    ) -> State:
        return {}

    @abstractmethod
    def encode(self, task: int, videos: Sequence[Video], state: State, ctx: MemoryContext) -> list[StoredVideo]:
        """One StoredVideo per video, in order, from one batched pass over the task's kept videos."""

    @abstractmethod
    def decode(self, task: int, records: Sequence[StoredVideo], state: State, device: torch.device) -> list[Video]:
        """The task's replay videos (float32 features, int64 labels), decoded in one batched pass."""

    # ---- Memory protocol ---------------------------------------------------------------------

    def add_task(self, task: int, videos: list[Video], ctx: MemoryContext) -> None:
        if task in self._tasks:
            raise ValueError(f"task {task} was already added to the memory")
        if not videos:
            raise DataError(f"memory: task {task} has no training videos")
        fixed = self._task_costs(task, videos, ctx)
        order = self.rank(task, videos, ctx)
        new_costs = [complete_costs(self.video_cost(videos[i])) for i in order]
        held_costs = [[_total(record.nbytes()) for record in memory.records] for memory in self._tasks.values()]
        held_costs.append([_total(costs) for costs in new_costs])
        fixed_totals = [self._fixed_total(memory.state) for memory in self._tasks.values()] + [_total(fixed)]
        kept = self._fit_all(held_costs, [*self._tasks, task], fixed_totals)

        # Train and encode before touching what is held, so a failure leaves the memory as it was.
        state = self.prepare_task(task, videos, ctx)
        chosen = [videos[order[position]] for position in kept[-1]]
        records = self.encode(task, chosen, state, ctx)
        if len(records) != len(chosen):
            raise RuntimeError(f"{self._name}.encode returned {len(records)} records for {len(chosen)} videos")
        state = {**state, **self.finish_task(task, videos, chosen, records, state, ctx)}
        if component_nbytes(state) != fixed:
            raise RuntimeError(f"{self._name}: task costs {fixed} != held state {component_nbytes(state)}")
        for position, video, record in zip(kept[-1], chosen, records):
            if record.nbytes() != new_costs[position]:
                raise RuntimeError(
                    f"{self._name}: video_cost {new_costs[position]} != held {record.nbytes()} for {video.name}"
                )

        for memory, positions in zip(self._tasks.values(), kept):
            memory.records = [memory.records[position] for position in positions]
        self._tasks[task] = TaskMemory(task, state, records)
        self._check_within_budget()

    def replay(self, device: torch.device) -> list[Video]:
        videos: list[Video] = []
        for memory in self._tasks.values():
            videos.extend(self.decode(memory.task, memory.records, memory.state, device))
        return videos

    def nbytes(self) -> dict[str, int]:
        return total_by_component(self.nbytes_by_task().values())

    def nbytes_by_task(self) -> dict[int, dict[str, int]]:
        """Per stored task, its state and kept videos' bytes by component (rows of memory.csv)."""
        return {
            memory.task: total_by_component([component_nbytes(memory.state), *(r.nbytes() for r in memory.records)])
            for memory in self._tasks.values()
        }

    def stored(self) -> dict[int, dict[str, int]]:
        return {
            memory.task: {
                "videos": len(memory.records),
                "frames": sum(record.num_frames for record in memory.records),
            }
            for memory in self._tasks.values()
        }

    # ---- persistence (replay.files) ----------------------------------------------------------

    def state_dict(self) -> dict:
        """What a memory file keeps: every task's state and kept videos (subclasses add their own)."""
        return {"tasks": list(self._tasks.values())}

    def load_state_dict(self, state: Mapping) -> None:
        tasks = state["tasks"]
        if not all(isinstance(memory, TaskMemory) for memory in tasks):
            raise ValueError("tasks: expected a list of task memories")
        self._tasks = {memory.task: memory for memory in tasks}

    def check_loaded(self, num_classes: int) -> None:
        """After `load_state_dict`: components known, every held array finite, frame counts equal to
        the transcripts', one feature width, and the budget respected; ValueError otherwise."""
        shapes: list[tuple[str, tuple[int, ...]]] = []
        for memory in self._tasks.values():
            component_nbytes(memory.state)
            check_finite(memory.state, f"task {memory.task}")
            for record in memory.records:
                if not isinstance(record, StoredVideo):
                    raise ValueError(f"task {memory.task}: expected stored videos")
                # `itas replay` writes a file per stored video under this name (':' made '_').
                check_name(str(record.name).replace(":", "_"), f"task {memory.task}: stored video")
                record.nbytes()
                check_finite(record.held, record.name)
                transcript = record.held.get("transcripts")
                if transcript is not None and int(np.sum(transcript["lengths"])) != record.num_frames:
                    raise ValueError(f"{record.name}: num_frames {record.num_frames}, but its transcript "
                                     f"spans {int(np.sum(transcript['lengths']))} frames")
                features = record.held.get("features")
                if features is not None:
                    shapes.append((record.name, tuple(features.shape)))
        if shapes:
            # The odd video is named, not the first one: one wrong file among many must be findable.
            width, count = Counter(shape[-1] for _, shape in shapes).most_common(1)[0]
            odd = next(((name, shape) for name, shape in shapes if len(shape) != 2 or shape[-1] != width), None)
            if odd is not None:
                raise ValueError(f"{odd[0]}: features of shape {odd[1]}, but {count} of {len(shapes)} "
                                 f"stored videos have width {width}")
        try:
            self._check_within_budget()
        except RuntimeError as err:
            raise ValueError(str(err)) from None

    # ---- feasibility and budget shares -------------------------------------------------------

    @property
    def task_memories(self) -> tuple[TaskMemory, ...]:
        """What is held, oldest task first (read-only view for reports and tests)."""
        return tuple(self._tasks.values())

    def rank(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> list[int]:
        """The task's ranked (γ-capped) candidate videos; seeded per task, so it never needs training."""
        seed = ctx.seed if self.seed is None else self.seed
        return rank_videos(videos, self.selection, (seed, task), self.gamma)

    def check_feasible(
        self,
        task_videos: Sequence[Sequence[Video]],
        ctx: MemoryContext | None = None,
        task_ids: Sequence[int] | None = None,
    ) -> None:
        """Raise DataError if the budget cannot keep at least one video of every task at every step.

        Replays the whole selection and eviction schedule on costs alone (rankings, `video_cost`,
        `task_fixed_cost`), so it trains nothing and gives the same answer `add_task` would when
        given the run's context. Without `ctx`: CPU, the memory's seed (or 0), and a label space of
        1 + the largest label in `task_videos`.
        task_ids: the ids used in messages; default 0, 1, 2, ...
        """
        ids = list(range(len(task_videos))) if task_ids is None else list(task_ids)
        if len(ids) != len(task_videos):
            raise ValueError(f"{len(ids)} task ids for {len(task_videos)} tasks")
        if ctx is None:
            labels = [int(video.labels.max()) for videos in task_videos for video in videos if video.num_frames]
            largest = max(labels, default=0)
            ctx = MemoryContext(torch.device("cpu"), largest + 1, self.seed or 0)
        held_costs: list[list[int]] = []
        fixed_totals: list[int] = []
        for index, (task, videos) in enumerate(zip(ids, task_videos)):
            if not videos:
                raise DataError(f"memory: task {task} has no training videos")
            fixed_totals.append(_total(self._task_costs(task, videos, ctx)))
            order = self.rank(task, videos, ctx)
            held_costs.append([_total(complete_costs(self.video_cost(videos[i]))) for i in order])
            kept = self._fit_all(held_costs, ids[: index + 1], fixed_totals)
            held_costs = [[costs[i] for i in positions] for costs, positions in zip(held_costs, kept)]

    def _task_costs(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, int]:
        """Exact bytes of a task's whole task-level state (`prepare_task` and `finish_task`)."""
        return complete_costs({**self.task_fixed_cost(task, videos, ctx), **self.finish_cost(task, videos, ctx)})

    def _fixed_total(self, state: Mapping[str, Held]) -> int:
        return _total(component_nbytes(state))

    def _fit_all(
        self, costs_per_task: list[list[int]], task_ids: list[int], fixed_totals: list[int]
    ) -> list[list[int]]:
        """Kept positions per task once these tasks share the budget; DataError if one keeps none."""
        seen = len(costs_per_task)
        share = self.budget.byte_quota(seen, sum(fixed_totals))
        if share is not None and share < 0:
            raise DataError(
                f"budget {self.budget.label} cannot hold the fixed per-task costs (decoders) of {seen} tasks "
                f"({format_bytes(sum(fixed_totals))}); raise the budget or set count_decoders: false"
            )
        kept = []
        for rank, (task, costs) in enumerate(zip(task_ids, costs_per_task)):
            quota = self.budget.video_quota(rank, seen)
            positions = fit_videos(costs, quota, share)
            if not positions:
                detail = (
                    f"{quota} videos per task"
                    if share is None
                    else f"share {format_bytes(share)} per task; smallest video needs {format_bytes(min(costs))}"
                )
                raise DataError(
                    f"budget {self.budget.label} cannot hold one video of task {task} "
                    f"once {seen} tasks share it ({detail})"
                )
            kept.append(positions)
        return kept

    def _check_within_budget(self) -> None:
        """The invariant checked after every task: shares respected, total within the budget."""
        seen = len(self._tasks)
        for rank, memory in enumerate(self._tasks.values()):
            quota = self.budget.video_quota(rank, seen)
            if quota is not None and len(memory.records) > quota:
                raise RuntimeError(f"task {memory.task} holds {len(memory.records)} videos, over its quota {quota}")
        if self.budget.bytes is not None:
            held = _total(self.nbytes())
            if not self.budget.count_decoders:
                held -= sum(self._fixed_total(memory.state) for memory in self._tasks.values())
            if held > self.budget.bytes:
                raise RuntimeError(f"memory holds {held} bytes over its budget {self.budget.label}")
