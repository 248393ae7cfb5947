import numpy as np
import pytest
import torch
from strategy_smoke import CPU, NUM_CLASSES, assert_scores_in_range, run_two_tasks

from benchmarks.orchestration.training import memory_rows
from replay.budget import Budget
from replay.selection import herding_order
from strategies import icarl
from strategies.icarl import exemplar_class_means, frame_embeddings, nearest_mean
from strategies.icarl_memory import ClipMemory, clip_bounds, clip_cost, herd, interleave, round_robin_counts
from strategies.registry import StrategyContext, build_strategy
from tasks.errors import DataError
from tasks.video import Video


def test_herding_hand_made():
    # Mean 0.25: pick 0 (gap .25); then (0 + x)/2 nearest .25 -> x = 1; then (1 + x)/3 -> x = -2; then 2.
    points = torch.tensor([[0.0, 0.0], [2.0, 0.0], [-2.0, 0.0], [1.0, 0.0]])
    assert herd(points, 4).tolist() == [0, 3, 2, 1]
    assert herd(points, 2).tolist() == [0, 3]
    assert herd(points, 9).tolist() == [0, 3, 2, 1]  # never more picks than points, no repeats


def test_herding_matches_the_numpy_video_herding():
    points = torch.nn.functional.normalize(torch.randn(40, 5, generator=torch.Generator().manual_seed(3)), dim=1)
    assert herd(points, 12).tolist() == herding_order(points.numpy(), 12)


def test_round_robin_counts_and_interleave():
    # Round robin over pools of 5, 1, 3 items stopping after 6 picks: a b c | a c | a.
    assert round_robin_counts([5, 1, 3], 6) == [3, 1, 2]
    assert round_robin_counts([5, 1, 3], 100) == [5, 1, 3]
    assert round_robin_counts([2, 2], 3) == [2, 1]
    assert round_robin_counts([4], 0) == [0]
    assert interleave([[7, 8, 9], [4], [1, 2]]) == [7, 4, 1, 8, 2, 9]


def test_clip_bounds_at_video_borders():
    starts, ends = clip_bounds(np.array([0, 19, 10, 2]), np.array([20, 20, 20, 5]), 8)
    assert starts.tolist() == [0, 12, 6, 0]
    assert ends.tolist() == [8, 20, 14, 5]
    starts, ends = clip_bounds(np.array([10]), np.array([20]), 5)
    assert (starts.tolist(), ends.tolist()) == ([8], [13])


def _video(name, labels, dim=3):
    labels = np.asarray(labels, dtype=np.int64)
    features = np.arange(len(labels) * dim, dtype=np.float32).reshape(len(labels), dim)
    return Video(name, "act", features, labels)


def _task0():
    video = _video("a", [0] * 5 + [1] * 5)
    # class 0 frames 0..4 (mean 0.5 -> frame 3), class 1 frames 5..9 (mean 1.4 -> frame 5, first of the ties)
    values = torch.tensor([2.0, 0.0, 1.0, 0.5, -1.0, 1.0, 1.0, 1.0, 3.0, 1.0])
    return [video], torch.stack([values, torch.zeros(10)], dim=1)


def test_memory_cuts_herded_clips_and_evicts_the_tail():
    memory = ClipMemory(Budget(videos=2), clip=4, clips_per_video=1)
    videos, embeddings = _task0()
    memory.add_task(0, videos, embeddings)
    clips = memory.clips[0]
    assert [(c.start, c.class_id) for c in clips] == [(1, 0), (3, 1)]  # centres 3 and 5
    assert clips[0].labels.tolist() == [0, 0, 0, 0] and clips[1].labels.tolist() == [0, 0, 1, 1]
    assert clips[1].labels.dtype == np.int32 and clips[1].features.dtype == np.float32
    np.testing.assert_array_equal(clips[1].features, videos[0].features[3:7])

    other = _video("b", [2] * 6)
    memory.add_task(1, [other], torch.tensor([[0.0], [1.0], [5.0], [2.0], [2.0], [2.0]]))  # mean 2 -> frame 3
    held = memory.clips
    assert [c.start for c in held[0]] == [1] and [c.start for c in held[1]] == [1]
    assert memory.stored() == {0: {"videos": 1, "frames": 4}, 1: {"videos": 1, "frames": 4}}
    replayed = memory.replay()
    assert [v.name for v in replayed] == ["replay:0:a@1", "replay:1:b@1"]
    assert replayed[1].labels.dtype == np.int64


def test_bytes_equal_the_held_arrays():
    memory = ClipMemory(Budget(videos=2), clip=4, clips_per_video=1)
    memory.add_task(0, *_task0())
    by_task = memory.nbytes_by_task()
    # two clips of 4 frames: features 4·3·4 B each, int32 labels 4·4 B each
    assert by_task == {0: {"features": 96, "codes": 0, "transcripts": 32, "decoders": 0, "noise": 0, "other": 0}}
    held = sum(c.features.nbytes + c.labels.nbytes for c in memory.clips[0])
    assert sum(memory.nbytes().values()) == held == 2 * clip_cost(4, 3)


def test_byte_budget_shares_and_feasibility():
    cost = clip_cost(4, 3)  # 64 B
    memory = ClipMemory(Budget(bytes=2 * cost), clip=4)
    memory.add_task(0, *_task0())
    assert memory.stored()[0]["videos"] == 2
    memory.add_task(1, [_video("b", [2] * 6)], torch.zeros(6, 2))
    assert memory.stored() == {0: {"videos": 1, "frames": 4}, 1: {"videos": 1, "frames": 4}}
    assert sum(memory.nbytes().values()) <= 2 * cost

    tasks = [[_video("a", [0] * 10)], [_video("b", [1] * 10)]]
    ClipMemory(Budget(bytes=2 * cost), clip=4).check_feasible(tasks)
    with pytest.raises(DataError, match="cannot hold one clip of task 0 once 2 tasks"):
        ClipMemory(Budget(bytes=2 * cost - 2), clip=4).check_feasible(tasks)
    with pytest.raises(DataError, match="cannot hold one clip of task 1 once 2 tasks"):
        ClipMemory(Budget(videos=1), clip=4).check_feasible(tasks)
    # a task whose videos are all shorter than a clip needs only its longest video's bytes
    ClipMemory(Budget(bytes=2 * clip_cost(3, 3)), clip=8).check_feasible([[_video("s", [0, 0, 1])]] * 2)


class _IdentityBackbone(torch.nn.Module):
    """Embeds each frame as its own features, so NME means can be worked out by hand."""

    def forward(self, x, mask):
        self.last_embedding = x.transpose(1, 2) * mask.unsqueeze(1)
        return x.transpose(1, 2).unsqueeze(0)


def test_frame_embeddings_keep_video_order_across_batches(monkeypatch):
    monkeypatch.setattr(icarl, "MAX_BATCH_FRAMES", 8)  # 3 + 5 frames pad to 10 > 8: two batches
    videos = [Video("a", "x", np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]], dtype=np.float32), np.zeros(3, np.int64)),
              Video("b", "x", np.full((5, 2), 1.0, dtype=np.float32), np.zeros(5, np.int64))]
    embeddings = frame_embeddings(_IdentityBackbone(), videos, CPU)
    expected = np.concatenate([[[0.6, 0.8], [1.0, 0.0], [0.0, 1.0]], np.full((5, 2), 2**-0.5)])
    np.testing.assert_allclose(embeddings.numpy(), expected, rtol=1e-6)


def test_nme_hand_made():
    clips = [Video("c0", "x", np.array([[1.0, 0.0], [3.0, 0.0]], dtype=np.float32), np.array([0, 0])),
             Video("c1", "x", np.array([[0.0, 2.0], [1.0, 1.0]], dtype=np.float32), np.array([2, 2]))]
    ids, means = exemplar_class_means(_IdentityBackbone(), clips, NUM_CLASSES, CPU)
    # class 2: mean of (0, 1) and (.7071, .7071) = (.3536, .8536), normalised (.3827, .9239)
    assert ids.tolist() == [0, 2]
    np.testing.assert_allclose(means.numpy(), [[1.0, 0.0], [0.382683, 0.923880]], atol=1e-6)
    frames = torch.tensor([[[3.0, 0.1, -1.0, 1.0], [1.0, 4.0, 0.5, 1.0]]])  # (B=1, E=2, T=4)
    # cosines to (1, 0) / (.38, .92): (.95/.66) -> 0, (.02/.93) -> 2, (-.89/.09) -> 2, (.71/.92) -> 2
    assert nearest_mean(frames, ids, means).tolist() == [[0, 2, 2, 2]]


def test_bad_params_raise_data_error():
    ctx = StrategyContext(Budget(videos=2), 0, CPU, NUM_CLASSES)
    with pytest.raises(DataError, match="'clip' must be an integer in 1..100000, got 0"):
        build_strategy("icarl", ctx, {"clip": 0})
    with pytest.raises(DataError, match="needs a replay budget"):
        build_strategy("icarl", StrategyContext(None, 0, CPU, NUM_CLASSES), {})


def test_smoke_two_tasks_deterministic():
    scores, parts = run_two_tasks("icarl", {"clip": 4, "clips_per_video": 2}, Budget(videos=2))
    assert_scores_in_range(scores, ("", "nme"))
    memory = parts.memory
    # 2 videos' worth shared by 2 tasks: 1 video = 2 clips each, of 4 frames (videos are >= 12 frames)
    assert memory.stored() == {0: {"videos": 2, "frames": 8}, 1: {"videos": 2, "frames": 8}}
    assert {c.class_id for c in memory.clips[0]} == {0, 1} and {c.class_id for c in memory.clips[1]} == {2, 3}
    rows = memory_rows(memory, 1)
    assert sum(row[3] for row in rows) == sum(memory.nbytes().values()) == 4 * clip_cost(4, 6)

    again_scores, again = run_two_tasks("icarl", {"clip": 4, "clips_per_video": 2}, Budget(videos=2))
    assert again_scores == scores
    assert ({t: [(c.video, c.start) for c in clips] for t, clips in again.memory.clips.items()}
            == {t: [(c.video, c.start) for c in clips] for t, clips in memory.clips.items()})


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_smoke_two_tasks_on_cuda():
    scores, parts = run_two_tasks("icarl", {"clip": 4, "clips_per_video": 2}, Budget(videos=2), torch.device("cuda"))
    assert_scores_in_range(scores, ("", "nme"))
    assert parts.plugins[1].class_means.device.type == "cuda"
    assert parts.plugins[0].previous_model.stages[0].conv_in.weight.device.type == "cuda"


def test_replay_joins_a_videos_worth_of_clips_into_one_sequence():
    memory = ClipMemory(Budget(videos=1), clip=4, clips_per_video=2)
    memory.add_task(0, *_task0())
    (replayed,) = memory.replay()
    clips = memory.clips[0]
    assert replayed.name == "replay:0:a@1+a@3"
    np.testing.assert_array_equal(replayed.features, np.concatenate([c.features for c in clips]))
    assert replayed.labels.tolist() == [0, 0, 0, 0, 0, 0, 1, 1]
