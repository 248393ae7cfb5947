"""Noise-matched regeneration (`noise: residual`): the AR(1) scan, the measured statistics, the
variance of replayed frames around their reconstruction, bytes, memory files, bad values."""
import copy
import functools

import numpy as np
import pytest
import torch
from synthetic_segments import procedural_videos

from benchmarks.orchestration.training import memory_rows
from replay.files import load_memory, save_memory
from replay.memory import MemoryContext
from replay.registry import make_memory
from replay.residual_noise import ar1_scan, noise_nbytes
from replay.transcripts import Transcripts
from tasks.errors import DataError

CPU = torch.device("cpu")
TINY = dict(latent=4, hidden=32, tca_epochs=30, batch_frames=256)
MEMORIES = {
    "mean": {},
    "coreset": {},
    "encoded": dict(K=1, gamma=None, **TINY),
    "condensed": dict(K=1, gamma=None, inversion_steps=20, inversion_lr=0.05, **TINY),
    "tca": TINY,
}
REPLAYS = 40


def _videos():
    # Long segments with noise of the same order as the prototypes: enough frames per class for a
    # variance estimate within a few percent, and a residual that is not only trajectory misfit.
    return procedural_videos(num_videos=6, num_classes=4, dim=8, min_len=40, max_len=80, noise=1.0, seed=3)


def _ctx():
    return MemoryContext(CPU, num_classes=4, seed=5)


@functools.lru_cache(maxsize=None)
def _trained(name, noise="none", noise_rank=None):
    memory = make_memory(name, {"videos": 6}, **MEMORIES[name], noise=noise, noise_rank=noise_rank)
    memory.add_task(0, _videos(), _ctx())
    return memory


def _built(name, **params):
    """A fresh copy of the memory trained on one task (each configuration is trained once)."""
    return copy.deepcopy(_trained(name, **params))


def _without_noise(memory):
    clean = copy.deepcopy(memory)
    for held in clean.task_memories:
        held.state.pop("noise")
    return clean


def _stats_variance(stats):
    variance = stats.std.astype(np.float64) ** 2
    if stats.basis is not None:
        variance = variance + np.einsum("kr,krd->kd", stats.scale.astype(np.float64) ** 2, stats.basis ** 2)
    return variance


def _class_variance(frames, labels, classes):
    return np.stack([(frames[labels == label].astype(np.float64) ** 2).mean(0) for label in classes])


def test_ar1_scan_is_the_recurrence_restarting_at_segment_starts():
    generator = torch.Generator().manual_seed(0)
    white = torch.randn(37, 3, generator=generator, dtype=torch.float64)
    rho = torch.rand(37, 3, generator=generator, dtype=torch.float64) * 1.8 - 0.9
    starts = torch.zeros(37, dtype=torch.bool)
    starts[[0, 5, 6, 20]] = True
    expected = white.clone()
    for t in range(37):
        if not starts[t]:
            expected[t] = rho[t] * expected[t - 1] + (1 - rho[t] ** 2).sqrt() * white[t]
    assert torch.allclose(ar1_scan(white, rho, starts), expected, atol=1e-12)


def test_ar1_scan_is_stationary_with_the_given_correlation():
    white = torch.randn(20_000, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    rho = torch.tensor([0.0, 0.8], dtype=torch.float64).expand(20_000, 2)
    starts = torch.zeros(20_000, dtype=torch.bool)
    starts[::500] = True
    series = ar1_scan(white, rho, starts).view(40, 500, 2)
    assert torch.allclose(series.var(dim=(0, 1)), torch.ones(2, dtype=torch.float64), atol=0.05)
    lag = (series[:, 1:] * series[:, :-1]).mean(dim=(0, 1))
    assert torch.allclose(lag, torch.tensor([0.0, 0.8], dtype=torch.float64), atol=0.03)


@pytest.mark.parametrize("name", sorted(MEMORIES))
@pytest.mark.parametrize("rank", [None, 2])
def test_replayed_variance_around_the_reconstruction_matches_the_real_residual(name, rank):
    memory = _built(name, noise="residual", noise_rank=rank)
    clean = _without_noise(memory)
    stats = memory.task_memories[0].state["noise"]
    squares, labels = [], []
    for _ in range(REPLAYS):
        noisy, plain = memory.replay(CPU), clean.replay(CPU)
        assert [video.name for video in noisy] == [video.name for video in plain]
        squares += [a.features - b.features for a, b in zip(noisy, plain)]
        labels += [video.labels for video in noisy]
    replayed = _class_variance(np.concatenate(squares), np.concatenate(labels), stats.classes)
    expected = _stats_variance(stats)
    assert np.all(np.abs(replayed / expected - 1) < 0.10), name

    if name != "tca":  # the real residual around the kept videos' noise-free reconstruction
        kept = {video.name: video for video in _videos()}
        reconstructed = clean.replay(CPU)
        real = np.concatenate([kept[video.name.split(":", 2)[2]].features for video in reconstructed])
        residual = real - np.concatenate([video.features for video in reconstructed])
        frame_labels = np.concatenate([video.labels for video in reconstructed])
        measured = _class_variance(residual, frame_labels, stats.classes)
        np.testing.assert_allclose(expected, measured, rtol=1e-4)
        assert np.all(np.abs(replayed / measured - 1) < 0.10), name


def test_rank_directions_are_orthonormal_and_carry_the_largest_share():
    stats = _built("mean", noise="residual", noise_rank=2).task_memories[0].state["noise"]
    for basis in stats.basis:
        np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-5)
    assert np.all(stats.scale[:, 0] >= stats.scale[:, 1])


@pytest.mark.parametrize("name", sorted(MEMORIES))
def test_noise_none_replays_exactly_the_reconstruction(name):
    plain = _built(name)
    noisy = _built(name, noise="residual")
    assert "noise" not in plain.task_memories[0].state and plain.nbytes()["noise"] == 0
    for a, b in zip(plain.replay(CPU), _without_noise(noisy).replay(CPU)):
        assert a.name == b.name
        assert np.array_equal(a.features, b.features) and np.array_equal(a.labels, b.labels)


def test_fixed_draws_replay_the_same_noise_every_time_fresh_draws_do_not():
    fresh = _built("mean", noise="residual")
    fixed = make_memory("mean", {"videos": 6}, noise="residual", noise_draws="fixed")
    fixed.add_task(0, _videos(), _ctx())
    clean = _without_noise(fresh).replay(CPU)
    first, second = fixed.replay(CPU), fixed.replay(CPU)
    one, two = fresh.replay(CPU), fresh.replay(CPU)
    for a, b, c, d, e in zip(first, second, one, two, clean):
        assert np.array_equal(a.features, b.features) and not np.array_equal(a.features, e.features)
        assert not np.array_equal(c.features, d.features)
        assert a.name == c.name and np.array_equal(a.labels, c.labels)


@pytest.mark.parametrize("rank", [None, 3])
def test_noise_bytes_are_counted_and_reach_memory_csv(rank):
    memory = _built("condensed", noise="residual", noise_rank=rank)
    expected = noise_nbytes(4, 8, rank)
    assert expected == 4 * (4 + 4 * (16 + (rank * 10 if rank else 0)))
    assert memory.nbytes()["noise"] == expected
    rows = [row for row in memory_rows(memory, 0) if row[2] == "noise"]
    assert rows == [[0, 0, "noise", expected, 6, Transcripts.from_videos(_videos()).num_frames]]


def test_memory_files_carry_the_noise_statistics(tmp_path):
    memory = _built("mean", noise="residual", noise_rank=2)
    params = {"noise": "residual", "noise_rank": 2}
    path = save_memory(tmp_path / "mean.pt", memory, "mean", params, ["a", "b", "c", "d"])
    loaded = load_memory(path).memory
    original, restored = memory.task_memories[0].state["noise"], loaded.task_memories[0].state["noise"]
    for field in ("classes", "std", "rho", "basis", "scale", "basis_rho"):
        np.testing.assert_array_equal(getattr(original, field), getattr(restored, field))
    for a, b in zip(memory.replay(CPU), loaded.replay(CPU)):
        np.testing.assert_array_equal(a.features, b.features)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"noise": "gaussian"}, r"^memory noise: expected one of none, residual, got 'gaussian'$"),
        ({"noise": "residual", "noise_rank": 0}, r"^memory noise_rank: expected an integer >= 1 or null, got 0$"),
        ({"noise_rank": 2}, r"^memory noise_rank: needs noise: residual"),
        ({"noise": "residual", "noise_draws": "once"}, r"^memory noise_draws: expected one of fresh, fixed, got 'once'$"),
        ({"noise_draws": "fixed"}, r"^memory noise_draws: needs noise: residual \(noise is 'none'\)$"),
    ],
)
def test_bad_noise_values_are_one_line_errors_naming_the_key(params, message):
    with pytest.raises(DataError, match=message):
        make_memory("mean", {"videos": 6}, **params)


def test_noise_rank_above_the_feature_dimension_fails_before_training():
    memory = make_memory("condensed", {"videos": 6}, noise="residual", noise_rank=9, **MEMORIES["condensed"])
    with pytest.raises(DataError, match=r"^memory noise_rank: expected at most the feature dimension 8, got 9$"):
        memory.check_feasible([_videos()])


def test_original_with_noise_adds_mean_residuals_draws_to_the_real_frames():
    # The ablation pair: the same kept videos, statistics and draws; only what carries the noise differs.
    real = make_memory("original", {"videos": 6}, noise="residual")
    real.add_task(0, _videos(), _ctx())
    mean = _built("mean", noise="residual")
    np.testing.assert_array_equal(real.task_memories[0].state["noise"].std, mean.task_memories[0].state["noise"].std)
    assert real.nbytes()["noise"] == mean.nbytes()["noise"] == noise_nbytes(4, 8, None)
    plain, means = _without_noise(real).replay(CPU), _without_noise(mean).replay(CPU)
    for _ in range(2):  # fresh draws at every replay, the same ones for both memories
        for noisy_real, noisy_mean, clean_real, clean_mean in zip(real.replay(CPU), mean.replay(CPU), plain, means):
            assert noisy_real.name == clean_real.name and not np.array_equal(noisy_real.features, clean_real.features)
            np.testing.assert_allclose(noisy_real.features - noisy_mean.features,
                                       clean_real.features - clean_mean.features, atol=1e-5)
