import numpy as np
import pytest
import torch

import replay.exemplars as exemplars
from replay.budget import Budget
from replay.exemplars import CoresetMemory, MeanMemory, OriginalMemory, segment_means, segment_nearest_to_mean
from replay.memory import MemoryContext
from tasks.video import Video

CPU = torch.device("cpu")
CTX = MemoryContext(CPU, num_classes=10, seed=0)

# Segment 0 (label 4): frames (1,2) (3,4) (5,6), mean (3,4) = frame 1 itself.
# Segment 1 (label 7): frames (10,0) (20,0), mean (15,0), both frames 5 away: tie → the earlier (10,0).
FEATURES = np.array([[1, 2], [3, 4], [5, 6], [10, 0], [20, 0]], dtype=np.float32)
LABELS = np.array([4, 4, 4, 7, 7], dtype=np.int64)


def _hand_video() -> Video:
    return Video("v", "coffee", FEATURES, LABELS)


def _replayed(memory_type) -> Video:
    memory = memory_type(Budget(videos=1))
    memory.add_task(3, [_hand_video()], CTX)
    (video,) = memory.replay(CPU)
    assert video.name == "replay:3:v" and video.activity == "coffee"
    assert video.features.dtype == np.float32 and video.labels.dtype == np.int64
    np.testing.assert_array_equal(video.labels, LABELS)
    return video


def test_mean_replays_the_segment_mean_tiled():
    expected = np.array([[3, 4]] * 3 + [[15, 0]] * 2, dtype=np.float32)
    np.testing.assert_array_equal(_replayed(MeanMemory).features, expected)


def test_coreset_replays_the_frame_nearest_the_mean_tiled():
    expected = np.array([[3, 4]] * 3 + [[10, 0]] * 2, dtype=np.float32)
    np.testing.assert_array_equal(_replayed(CoresetMemory).features, expected)


def test_original_replays_the_real_features():
    np.testing.assert_array_equal(_replayed(OriginalMemory).features, FEATURES)


def test_bytes_by_hand_for_each_memory():
    # transcripts: 2 segments × (label, length) × int32 = 16 B.
    # original: 5 frames × 2 dims × float32 = 40 B; mean / coreset: 2 segments × 2 dims × 4 B = 16 B.
    expected = {OriginalMemory: 40, MeanMemory: 16, CoresetMemory: 16}
    for memory_type, features in expected.items():
        memory = memory_type(Budget(videos=1))
        memory.add_task(0, [_hand_video()], CTX)
        assert memory.nbytes() == {"features": features, "codes": 0, "transcripts": 16, "decoders": 0, "noise": 0, "other": 0}


def test_memory_holds_its_own_copy_of_the_features():
    video = _hand_video()
    video.features = video.features.copy()
    memory = OriginalMemory(Budget(videos=1))
    memory.add_task(0, [video], CTX)
    video.features[:] = 0
    np.testing.assert_array_equal(memory.replay(CPU)[0].features, FEATURES)


def _videos(count: int, frames: int, segments: int, dim: int, seed: int) -> list[Video]:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(segments), frames // segments)
    return [Video(f"s{seed}v{i}", "a", rng.normal(size=(frames, dim)).astype(np.float32), labels) for i in range(count)]


def test_batched_encoding_matches_one_video_per_pass(monkeypatch):
    videos = _videos(6, 20, 4, 3, seed=1)
    reference = {}
    for memory_type in (MeanMemory, CoresetMemory):
        memory = memory_type(Budget(videos=6))
        memory.add_task(0, videos, CTX)
        reference[memory_type] = memory.replay(CPU)
    monkeypatch.setattr(exemplars, "MAX_BATCH_FRAMES", 25)
    for memory_type in (MeanMemory, CoresetMemory):
        memory = memory_type(Budget(videos=6))
        memory.add_task(0, videos, CTX)
        for got, want in zip(memory.replay(CPU), reference[memory_type]):
            np.testing.assert_array_equal(got.features, want.features)
            assert got.name == want.name


def test_mean_keeps_more_videos_than_original_at_an_equal_byte_budget():
    # 50 frames × 8 dims, 5 segments: original 1600 + 40 B per video, mean 5·8·4 + 40 = 200 B.
    # 6000 B over 3 tasks is a 2000 B share: original keeps 1 video per task, mean 10.
    tasks = [_videos(12, 50, 5, 8, seed) for seed in range(3)]
    stored = {}
    for memory_type in (OriginalMemory, MeanMemory):
        memory = memory_type(Budget(bytes=6000))
        for task, videos in enumerate(tasks):
            memory.add_task(task, videos, CTX)
        assert sum(memory.nbytes().values()) <= 6000
        stored[memory_type] = [entry["videos"] for entry in memory.stored().values()]
    assert stored[OriginalMemory] == [1, 1, 1]
    assert stored[MeanMemory] == [10, 10, 10]


def test_segment_reductions_on_one_tensor():
    frames = torch.from_numpy(FEATURES)
    lengths = torch.tensor([3, 2])
    torch.testing.assert_close(segment_means(frames, lengths), torch.tensor([[3.0, 4.0], [15.0, 0.0]]))
    torch.testing.assert_close(segment_nearest_to_mean(frames, lengths), torch.tensor([[3.0, 4.0], [10.0, 0.0]]))


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_encoding_and_replay_match_cpu():
    videos = _videos(5, 40, 4, 16, seed=3)
    cuda = torch.device("cuda")
    for memory_type in (MeanMemory, CoresetMemory):
        on_cpu, on_cuda = memory_type(Budget(videos=5)), memory_type(Budget(videos=5))
        on_cpu.add_task(0, videos, CTX)
        on_cuda.add_task(0, videos, MemoryContext(cuda, num_classes=10, seed=0))
        for got, want in zip(on_cuda.replay(cuda), on_cpu.replay(CPU)):
            np.testing.assert_allclose(got.features, want.features, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(got.labels, want.labels)
