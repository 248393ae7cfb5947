"""The SelectedVideoMemory contract, exercised through the exemplar memories and two small
subclasses (one with a fixed per-task 'decoder', one that under-reports its cost)."""
import numpy as np
import pytest
import torch

from replay.budget import Budget
from replay.exemplars import MeanMemory, OriginalMemory
from replay.memory import COMPONENTS, Memory, MemoryContext
from tasks.errors import DataError
from tasks.video import Video

CTX = MemoryContext(torch.device("cpu"), num_classes=20, seed=5)
DIM = 4


def _video(name: str, segment_lengths: list[int], seed: int) -> Video:
    """Segments labelled 0, 1, 2, ... with the given lengths; features seeded noise."""
    labels = np.repeat(np.arange(len(segment_lengths)), segment_lengths)
    features = np.random.default_rng(seed).normal(size=(len(labels), DIM)).astype(np.float32)
    return Video(name, f"act{seed % 3}", features, labels)


def _tasks(num_tasks: int, per_task: int) -> list[list[Video]]:
    rng = np.random.default_rng(0)
    return [
        [_video(f"t{t}v{i}", list(rng.integers(1, 6, size=rng.integers(1, 4))), 100 * t + i) for i in range(per_task)]
        for t in range(num_tasks)
    ]


def _walk_nbytes(held) -> int:
    """An independent walk over what a memory holds (numpy arrays, tensors, modules, containers)."""
    if isinstance(held, np.ndarray):
        return held.size * held.itemsize
    if isinstance(held, torch.nn.Module):
        return sum(p.numel() * p.element_size() for p in held.parameters())
    if isinstance(held, dict):
        return sum(_walk_nbytes(v) for v in held.values())
    return sum(_walk_nbytes(v) for v in held)


def test_memories_implement_the_protocol():
    assert isinstance(OriginalMemory(Budget(videos=6)), Memory)


def test_sixty_videos_over_ten_tasks_floor_or_ceil_after_every_task():
    tasks = _tasks(10, 60)
    memory = MeanMemory(Budget(videos=60))
    for task, videos in enumerate(tasks):
        memory.add_task(task, videos, CTX)
        counts = [entry["videos"] for entry in memory.stored().values()]
        seen = task + 1
        assert sum(counts) == 60
        assert set(counts) <= {60 // seen, -(-60 // seen)}
    assert [entry["videos"] for entry in memory.stored().values()] == [6] * 10


def test_byte_budget_never_exceeded_and_older_tasks_evict_to_a_subset():
    tasks = _tasks(6, 12)
    budget = Budget(bytes=1500)
    memory = OriginalMemory(budget, selection="random")
    memory.check_feasible(tasks, CTX)
    kept_before: dict[int, set[str]] = {}
    evictions = 0
    for task, videos in enumerate(tasks):
        memory.add_task(task, videos, CTX)
        assert sum(memory.nbytes().values()) <= 1500
        share = 1500 // (task + 1)
        for entry in memory.task_memories:
            names = {record.name for record in entry.records}
            assert sum(sum(record.nbytes().values()) for record in entry.records) <= share
            if entry.task in kept_before:
                assert names <= kept_before[entry.task]
                evictions += len(kept_before[entry.task] - names)
            kept_before[entry.task] = names
    assert evictions > 0
    assert len(kept_before[0]) < len(tasks[0])


def test_nbytes_equals_an_independent_walk_of_the_held_arrays():
    tasks = _tasks(3, 5)
    for memory in (OriginalMemory(Budget(videos=7)), MeanMemory(Budget(bytes=700), selection="diverse")):
        for task, videos in enumerate(tasks):
            memory.add_task(task, videos, CTX)
        features = sum(_walk_nbytes(r.held["features"]) for m in memory.task_memories for r in m.records)
        transcripts = sum(_walk_nbytes(r.held["transcripts"]) for m in memory.task_memories for r in m.records)
        assert memory.nbytes() == {"features": features, "codes": 0, "transcripts": transcripts, "decoders": 0, "noise": 0, "other": 0}


def test_original_nbytes_by_hand():
    # 10 frames × 4 dims × 4 B = 160 feature bytes; 3 segments × (label + length) × 4 B = 24.
    video = _video("v", [3, 3, 4], 0)
    memory = OriginalMemory(Budget(videos=1))
    memory.add_task(0, [video], CTX)
    assert memory.nbytes() == {"features": 160, "codes": 0, "transcripts": 24, "decoders": 0, "noise": 0, "other": 0}
    assert memory.stored() == {0: {"videos": 1, "frames": 10}}


def test_selection_is_deterministic_for_a_seed():
    tasks = _tasks(3, 10)
    names = []
    for _ in range(2):
        memory = OriginalMemory(Budget(videos=6), selection="random")
        for task, videos in enumerate(tasks):
            memory.add_task(task, videos, CTX)
        names.append([video.name for video in memory.replay(torch.device("cpu"))])
    assert names[0] == names[1]
    assert all(name.startswith("replay:") for name in names[0])


def _big_last_task() -> list[list[Video]]:
    """Tasks 0–2: 10-frame one-segment videos (168 B each as `original`); task 3: 100 frames (1608 B)."""
    small = [[_video(f"t{t}v{i}", [10], i) for i in range(3)] for t in range(3)]
    return small + [[_video(f"t3v{i}", [100], i) for i in range(3)]]


def test_check_feasible_names_the_task_and_the_sizes_before_training():
    memory = OriginalMemory(Budget.parse({"bytes": "4KB"}))
    message = "budget bytes=4KB cannot hold one video of task 3 once 4 tasks share it (share 1.0 KB per task; smallest video needs 1.6 KB)"
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        memory.check_feasible(_big_last_task(), CTX)
    assert memory.stored() == {}
    OriginalMemory(Budget(bytes=6432)).check_feasible(_big_last_task(), CTX)


def test_check_feasible_with_video_budget_smaller_than_task_count():
    with pytest.raises(DataError, match=r"budget videos=3 cannot hold one video of task 13 once 4 tasks share it \(0 videos per task\)"):
        OriginalMemory(Budget(videos=3)).check_feasible(_big_last_task(), CTX, task_ids=[10, 11, 12, 13])


def test_add_task_that_cannot_fit_raises_and_leaves_the_memory_as_it_was():
    memory = OriginalMemory(Budget(bytes=4000))
    tasks = _big_last_task()
    for task in range(3):
        memory.add_task(task, tasks[task], CTX)
    before = (memory.stored(), memory.nbytes())
    with pytest.raises(DataError, match="cannot hold one video of task 3"):
        memory.add_task(3, tasks[3], CTX)
    assert (memory.stored(), memory.nbytes()) == before


def test_empty_task_is_a_data_error():
    with pytest.raises(DataError, match="task 2 has no training videos"):
        OriginalMemory(Budget(videos=4)).add_task(2, [], CTX)


class _DecoderMemory(MeanMemory):
    """A mean memory that also keeps a per-task 'decoder' (Linear 4→4: 16 + 4 floats = 80 B)."""

    def task_fixed_cost(self, task, videos, ctx):
        return {"decoders": (DIM * DIM + DIM) * 4}

    def prepare_task(self, task, videos, ctx):
        torch.manual_seed(task)
        return {"decoders": torch.nn.Linear(DIM, DIM)}


def test_fixed_costs_are_counted_unless_count_decoders_is_false():
    tasks = _tasks(3, 30)
    counted, uncounted = _DecoderMemory(Budget(bytes=1000)), _DecoderMemory(Budget(bytes=1000, count_decoders=False))
    for task, videos in enumerate(tasks):
        counted.add_task(task, videos, CTX)
        uncounted.add_task(task, videos, CTX)
        assert counted.nbytes()["decoders"] == 80 * (task + 1)
        assert sum(counted.nbytes().values()) <= 1000
        assert sum(uncounted.nbytes().values()) - uncounted.nbytes()["decoders"] <= 1000
    state = sum(_walk_nbytes(m.state) for m in counted.task_memories)
    records = sum(_walk_nbytes(r.held) for m in counted.task_memories for r in m.records)
    assert sum(counted.nbytes().values()) == state + records
    assert sum(e["videos"] for e in counted.stored().values()) < sum(e["videos"] for e in uncounted.stored().values())


def test_fixed_costs_over_the_budget_are_a_data_error():
    with pytest.raises(DataError, match=r"cannot hold the fixed per-task costs \(decoders\) of 2 tasks \(160 B\)"):
        _DecoderMemory(Budget(bytes=150)).check_feasible(_tasks(2, 3), CTX)


class _UnderReporting(OriginalMemory):
    def video_cost(self, video):
        return {"features": 0}


def test_a_hook_that_under_reports_its_bytes_is_caught():
    with pytest.raises(RuntimeError, match="video_cost"):
        _UnderReporting(Budget(videos=2)).add_task(0, _tasks(1, 2)[0], CTX)


def test_nbytes_reports_every_component():
    assert tuple(MeanMemory(Budget(videos=2)).nbytes()) == COMPONENTS


def test_nbytes_by_task_adds_up_to_nbytes():
    memory = _DecoderMemory(Budget(bytes=1000))
    for task, videos in enumerate(_tasks(3, 10)):
        memory.add_task(task, videos, CTX)
    by_task = memory.nbytes_by_task()
    assert list(by_task) == [0, 1, 2]
    assert all(entry["decoders"] == 80 for entry in by_task.values())
    assert {c: sum(entry[c] for entry in by_task.values()) for c in COMPONENTS} == memory.nbytes()


def test_check_feasible_without_a_context_uses_the_memory_seed():
    with pytest.raises(DataError, match="cannot hold one video of task 3"):
        OriginalMemory(Budget(bytes=4000), seed=1).check_feasible(_big_last_task())
