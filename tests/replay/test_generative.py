import numpy as np
import pytest
import torch
from synthetic_segments import procedural_videos

from replay.memory import MemoryContext
from replay.registry import make_memory
from tasks.errors import DataError

CPU = torch.device("cpu")
TINY = dict(latent=4, hidden=32, tca_epochs=20, batch_frames=128)


def _tasks():
    first = procedural_videos(num_videos=6, num_classes=5, seed=1)
    second = procedural_videos(num_videos=6, num_classes=5, seed=2)
    for video in second:
        video.labels = video.labels + 5
    return [first, second]


def _filled(budget):
    memory = make_memory("tca", budget, **TINY)
    for task, videos in enumerate(_tasks()):
        memory.add_task(task, videos, MemoryContext(CPU, num_classes=10, seed=0))
    return memory


def test_holds_all_transcripts_and_replays_the_video_quota():
    memory = _filled({"videos": 5})
    tasks = _tasks()
    segments = [sum(len(v.transcript()) for v in videos) for videos in tasks]
    # all 6 transcripts per task (int32 labels + lengths per segment, int32 count per video) and a
    # (4 + 10 + 1) * 32 + 32 + 32 * 16 + 16 = 1040-parameter float32 decoder per task; no codes
    assert memory.nbytes() == {
        "features": 0, "codes": 0, "transcripts": sum(8 * s + 4 * 6 for s in segments),
        "decoders": 2 * 1040 * 4, "noise": 0, "other": 0,
    }
    # 5 videos over 2 tasks: the older task replays 3, the newer 2
    assert {task: held["videos"] for task, held in memory.stored().items()} == {0: 3, 1: 2}

    calls = {}
    handles = [
        held.state["decoders"].net[-1].register_forward_hook(
            lambda module, inputs, output, task=held.task: calls.setdefault(task, []).append(len(output))
        )
        for held in memory.task_memories
    ]
    replayed = memory.replay(CPU)
    for handle in handles:
        handle.remove()
    assert len(replayed) == 5 and [len(c) for c in calls.values()] == [1, 1]
    real = {f"{task}:{v.name}": v for task, videos in enumerate(tasks) for v in videos}
    for video in replayed:
        _, task, sample, source = video.name.split(":")
        # each replay is a real training transcript (labels and lengths) of its own task
        np.testing.assert_array_equal(video.labels, real[f"{task}:{source}"].labels)
        assert video.features.dtype == np.float32 and video.features.shape == real[f"{task}:{source}"].features.shape
    assert calls == {0: [sum(v.num_frames for v in replayed[:3])], 1: [sum(v.num_frames for v in replayed[3:])]}


def test_fresh_samples_every_call_and_reproducible_runs():
    first, second = _filled({"videos": 4}), _filled({"videos": 4})
    a1, a2 = first.replay(CPU), first.replay(CPU)
    b1, b2 = second.replay(CPU), second.replay(CPU)
    same = lambda xs, ys: all(x.name == y.name and np.array_equal(x.features, y.features) for x, y in zip(xs, ys))
    assert same(a1, b1) and same(a2, b2)
    assert not same(a1, a2)


def test_one_code_per_segment_held_constant():
    memory = _filled({"videos": 2})
    decoder = memory.task_memories[0].state["decoders"]
    decode, seen = decoder.decode, []
    decoder.decode = lambda codes, code_of_frame, *conditions: seen.append(code_of_frame) or decode(
        codes, code_of_frame, *conditions)
    try:
        video = memory.replay(CPU)[0]
    finally:
        del decoder.decode
    code_of_frame = seen[0][: video.num_frames].numpy()
    starts = np.flatnonzero(np.r_[True, video.labels[1:] != video.labels[:-1]])
    # one code per segment, repeated over its frames: the code index changes exactly where segments do
    np.testing.assert_array_equal(np.flatnonzero(np.r_[True, code_of_frame[1:] != code_of_frame[:-1]]), starts)


def test_byte_budget_counts_decoder_and_transcripts_unless_told_not_to():
    ctx = MemoryContext(CPU, num_classes=10, seed=0)
    with pytest.raises(DataError, match="decoders"):
        make_memory("tca", {"bytes": 4000}, **TINY).check_feasible(_tasks(), ctx)
    free = make_memory("tca", {"bytes": 4000, "count_decoders": False}, **TINY)
    free.check_feasible(_tasks(), ctx)
    # a byte budget: every training video is a replay slot
    memory = _filled({"bytes": 20000})
    assert {task: held["videos"] for task, held in memory.stored().items()} == {0: 6, 1: 6}
