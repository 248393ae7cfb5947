"""The procedural presets: breakfast-like (the default) profiles as calibrated at the quick rate,
its drift and segment offsets behave as stated; noise-dominated keeps the earlier default's bytes
(tests/tasks/test_procedural_structure.py pins them)."""
import numpy as np
import pytest

from tasks.datasets import load_dataset
from tasks.presets import DEFAULT_PRESET, PRESETS, Difficulty
from tasks.procedural import GeneratorParams, VideoPlan, build_world, generate, render_features, smooth_drift
from tasks.profile import feature_statistics


def test_smooth_drift_is_a_gaussian_process_of_the_stated_std_and_correlation():
    drift = smooth_drift(40000, 4, width=3.0, scale=2.0, rng=np.random.default_rng(0))
    assert drift.std() == pytest.approx(2.0, rel=0.05)
    for lag in (1, 3, 6):
        corr = np.mean([np.corrcoef(drift[:-lag, d], drift[lag:, d])[0, 1] for d in range(4)])
        assert corr == pytest.approx(np.exp(-lag ** 2 / (4 * 3.0 ** 2)), abs=0.03)


def test_segment_offsets_are_constant_within_a_segment_and_vary_between():
    quiet = Difficulty(noise_scale=0.0, video_scale=0.0, segment_scale=1.5)
    lengths = np.full(400, 5)
    plan = VideoPlan("v", "tea", "train", person=0, camera=0, segment_actions=np.zeros(400, dtype=int), lengths=lengths)
    world = build_world(GeneratorParams(dim=8))
    for prototypes in (world.start, world.end, world.person_offsets, world.camera_offsets):
        prototypes[:] = 0
    features = render_features(plan, world, quiet, 0.05, np.random.default_rng(0))
    per_segment = features.reshape(400, 5, 8)
    assert np.abs(per_segment - per_segment[:, :1]).max() == 0
    assert per_segment[:, 0].std() == pytest.approx(1.5, rel=0.05)


def test_the_default_is_breakfast_like_and_noise_dominated_has_only_white_noise():
    assert DEFAULT_PRESET == "breakfast-like" == GeneratorParams().preset
    noise_dominated = PRESETS["noise-dominated"].difficulty
    assert noise_dominated == Difficulty() and noise_dominated.drift_scale == noise_dominated.segment_scale == 0
    real_like = PRESETS["breakfast-like"].difficulty
    assert real_like.drift_scale > real_like.noise_scale > 0 and real_like.segment_scale > 0


@pytest.fixture(scope="module")
def quick_rate_profile(tmp_path_factory):
    """The default preset at the quick config's frame rate (length scale 0.05), profiled."""
    root = generate(tmp_path_factory.mktemp("preset") / "data", GeneratorParams(dim=32, videos_per_activity=8,
                                                                               length_scale=0.05, seed=1))
    data = load_dataset(root, "breakfast")
    return feature_statistics(data.train, data.test, data.actions)


def test_the_default_preset_profiles_as_calibrated_at_the_quick_rate(quick_rate_profile):
    """Mostly smooth within a segment, a small white share (docs/data/procedural.md: the targets are
    a white share of ~10% and a lag-1 autocorrelation of ~0.8; noise-dominated gives 98% and 0.02)."""
    assert 0.04 <= quick_rate_profile["white_share"] <= 0.2
    assert 0.7 <= quick_rate_profile["lag1_autocorrelation"] <= 0.9
