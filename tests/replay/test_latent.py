import numpy as np
import pytest
import torch
from synthetic_segments import procedural_videos

from replay.latent import CondensedMemory, EncodedMemory
from replay.memory import MemoryContext
from replay.registry import make_memory
from replay.tca import decoder_num_parameters
from tasks.errors import DataError
from tasks.procedural import GeneratorParams, plan_videos
from tasks.video import Video

CPU = torch.device("cpu")
TINY = dict(latent=4, hidden=32, tca_epochs=20, batch_frames=128)


def _two_tasks() -> list[list[Video]]:
    first = procedural_videos(num_videos=6, num_classes=5, seed=1)
    second = procedural_videos(num_videos=6, num_classes=5, seed=2)
    for video in second:
        video.labels = video.labels + 5
    return [first, second]


def _ctx(device: torch.device = CPU) -> MemoryContext:
    return MemoryContext(device=device, num_classes=10, seed=0)


def _count_decoder_calls(memory, device):
    calls = {}
    handles = [
        memory.decoder_on(held.task, held.state, device).net[-1].register_forward_hook(
            lambda module, inputs, output, task=held.task: calls.setdefault(task, []).append(len(output))
        )
        for held in memory.task_memories
    ]
    try:
        replayed = memory.replay(device)
    finally:
        for handle in handles:
            handle.remove()
    return calls, replayed


@pytest.mark.parametrize("name", ["condensed", "encoded"])
def test_replay_is_one_decoder_call_per_task_with_exact_bytes(name):
    extra = dict(inversion_steps=30, inversion_lr=0.05) if name == "condensed" else {}
    memory = make_memory(name, {"videos": 4}, K=2, **TINY, **extra)
    tasks = _two_tasks()
    for task, videos in enumerate(tasks):
        memory.add_task(task, videos, _ctx())
    assert memory.stored() == {0: {"videos": 2, "frames": 47}, 1: {"videos": 2, "frames": 85}}
    calls, replayed = _count_decoder_calls(memory, CPU)
    assert calls == {0: [47], 1: [85]}
    assert [video.name for video in replayed] == ["replay:0:v5", "replay:0:v3", "replay:1:v3", "replay:1:v2"]
    by_name = {f"replay:{task}:{video.name}": video for task, videos in enumerate(tasks) for video in videos}
    for video in replayed:
        real = by_name[video.name]
        assert video.features.dtype == np.float32 and video.features.shape == real.features.shape
        np.testing.assert_array_equal(video.labels, real.labels)
    # bytes: per segment min(2, l) float32 codes of size 4 and two int32 (label, length);
    # one decoder of (4 + 10 + 1) * 32 + 32 + 32 * 16 + 16 = 1040 parameters per task
    segments = sum(len(by_name[v.name].transcript()) for v in replayed)
    assert memory.nbytes() == {
        "features": 0, "codes": 4 * 4 * 2 * segments, "transcripts": 8 * segments,
        "decoders": 2 * 1040 * 4, "noise": 0, "other": 0,
    }
    assert decoder_num_parameters(16, 10, 4, 32) == 1040
    decoders = [held.state["decoders"] for held in memory.task_memories]
    assert all(not d.training and not any(p.requires_grad for p in d.parameters()) for d in decoders)
    # decoding is deterministic: the same replay every call
    again = memory.replay(CPU)
    assert all(np.array_equal(a.features, b.features) for a, b in zip(replayed, again))


def test_condensed_replay_reconstructs_kept_videos_better_than_encoded():
    videos = procedural_videos(num_videos=8, num_classes=5, dim=16)
    errors = {"mean": 0.2202}  # per-segment mean tiled, see test_inversion
    for cls, extra in ((CondensedMemory, dict(inversion_steps=200, inversion_lr=0.05)), (EncodedMemory, {})):
        memory = cls({"videos": 8}, K=2, gamma=1.0, latent=4, hidden=64, tca_epochs=150, batch_frames=128, **extra)
        memory.add_task(0, videos, MemoryContext(CPU, num_classes=5, seed=0))
        replayed = memory.replay(CPU)
        real = {video.name: video for video in videos}
        errors[cls.__name__] = np.mean(
            np.concatenate([(v.features - real[v.name.split(":")[2]].features).ravel() ** 2 for v in replayed])
        )
    # both memories train the same TCA (same seed and data); per-element mean squared error
    assert errors["CondensedMemory"] == pytest.approx(0.0678, rel=0.05)
    assert errors["EncodedMemory"] == pytest.approx(0.0927, rel=0.05)
    assert errors["CondensedMemory"] < errors["EncodedMemory"] < errors["mean"]


def test_int8_codes_cost_and_replay():
    memory = make_memory("encoded", {"videos": 3}, code_dtype="int8", K=1, **TINY)
    videos = _two_tasks()[0]
    memory.add_task(0, videos, _ctx())
    segments = sum(len(r.held["transcripts"]["labels"]) for r in memory.task_memories[0].records)
    # per code 4 int8 values + one float32 scale
    assert memory.nbytes()["codes"] == segments * (4 + 4)
    assert len(memory.replay(CPU)) == 3


def test_storage_follows_dl_over_kd():
    """Original float32 feature bytes of the kept videos / (codes + transcripts bytes held) against
    the prediction sum_s D*l_s / sum_s (K*d + 2): K*d float32 codes and two int32 per segment.

    K = 4 and segments of 4..20 frames: a segment shorter than K keeps fewer codes (min(K, l)), which
    the prediction ignores; the two agree within 5%."""
    videos = procedural_videos(num_videos=8, num_classes=5, dim=64, min_len=3, max_len=20)
    memory = make_memory("encoded", {"videos": 8}, gamma=1.0, K=4, latent=2, hidden=16, tca_epochs=2)
    memory.add_task(0, videos, MemoryContext(CPU, num_classes=5, seed=0))
    held = memory.nbytes()
    original = sum(v.features.nbytes for v in videos)
    lengths = np.concatenate([np.diff(np.flatnonzero(np.diff(np.r_[-1, v.labels, -1]))) for v in videos])
    measured = original / (held["codes"] + held["transcripts"])
    predicted = (64 * lengths).sum() / (len(lengths) * (4 * 2 + 2))
    assert measured == pytest.approx(predicted, rel=0.05)
    assert measured > predicted  # fewer codes for the short segments, never more
    # and the exact count, with min(K, l) codes
    exact = (64 * lengths).sum() / ((np.minimum(4, lengths) * 2 + 2).sum())
    assert measured == pytest.approx(exact, rel=1e-12)


def test_breakfast_scale_ratio_with_and_without_decoders():
    """Breakfast-like lengths at length_scale 1 (146 videos per activity, the real training-set size),
    D 2048, d 256, h 512, K 1, all videos kept (gamma 1), 84 classes: bytes from the memory's exact
    costs (`video_cost`, `task_fixed_cost`, which add_task checks against what it holds)."""
    plans = plan_videos(GeneratorParams(videos_per_activity=146, length_scale=1.0, dim=2048))
    memory = CondensedMemory({"bytes": "1GB"}, K=1, gamma=1.0)
    videos = [
        Video(p.name, p.activity, np.broadcast_to(np.float32(0), (int(p.lengths.sum()), 2048)),
              np.repeat(p.segment_actions, p.lengths))
        for p in plans
    ]
    ctx = MemoryContext(CPU, num_classes=84)
    original = sum(v.num_frames * 2048 * 4 for v in videos)
    codes = sum(sum(memory.video_cost(v).values()) for v in videos)
    decoders = 10 * memory.task_fixed_cost(0, videos[:1], ctx)["decoders"]
    assert decoders == 10 * 4 * ((256 + 84 + 1) * 512 + 512 + 512 * 2048 + 2048)
    without, with_decoders = original / codes, original / (codes + decoders)
    assert without >= 1000  # about 2,000x: 258 frames per segment on average, 2048 / (256 + 2) per frame
    assert 300 < with_decoders < 1000  # ten 4.9 MB decoders dominate the 10 MB of codes


def test_bad_parameters_are_data_errors():
    with pytest.raises(DataError, match="K"):
        make_memory("condensed", {"videos": 4}, K=0)
    with pytest.raises(DataError, match="code_dtype"):
        make_memory("encoded", {"videos": 4}, code_dtype="int4")
    with pytest.raises(DataError, match="inversion_lr"):
        make_memory("condensed", {"videos": 4}, inversion_lr=-1.0)
    with pytest.raises(DataError, match="unknown parameter"):
        make_memory("encoded", {"videos": 4}, inversion_steps=3)


def test_byte_budget_counts_decoders_and_feasibility_before_training():
    memory = make_memory("condensed", {"bytes": 5000}, **TINY)
    with pytest.raises(DataError, match="decoders"):
        memory.check_feasible(_two_tasks(), _ctx())  # two 4160-byte decoders exceed 5000 bytes
    free = make_memory("condensed", {"bytes": 5000, "count_decoders": False}, **TINY)
    free.check_feasible(_two_tasks(), _ctx())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_replay_one_call_per_task_matches_cpu():
    cuda = torch.device("cuda")
    memory = make_memory("condensed", {"videos": 4}, K=2, inversion_steps=30, **TINY)
    for task, videos in enumerate(_two_tasks()):
        memory.add_task(task, videos, _ctx(cuda))
    calls, replayed = _count_decoder_calls(memory, cuda)
    assert calls == {0: [47], 1: [85]}
    assert all(next(memory.decoder_on(h.task, h.state, cuda).parameters()).is_cuda for h in memory.task_memories)
    on_cpu = memory.replay(CPU)
    for a, b in zip(replayed, on_cpu):
        assert a.features.dtype == np.float32
        np.testing.assert_allclose(a.features, b.features, atol=1e-4)
