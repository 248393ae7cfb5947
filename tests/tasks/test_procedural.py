from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest

from tasks.activities import BREAKFAST_ACTIONS, BREAKFAST_GRAMMARS
from tasks.errors import DataError
from tasks.procedural import (PRESETS, Difficulty, GeneratorParams, VideoPlan, ar1_noise,
                              build_world, generate, plan_videos, render_features)
from tasks.video import segments


def test_action_sets_are_the_real_breakfast_ones():
    assert len(BREAKFAST_ACTIONS) == 48
    sizes = {a: len(set(g.actions())) + 1 for a, g in BREAKFAST_GRAMMARS.items()}  # + SIL
    assert sizes == {"cereals": 5, "coffee": 7, "friedegg": 9, "juice": 8, "milk": 5,
                     "pancake": 14, "salat": 8, "sandwich": 9, "scrambledegg": 12, "tea": 7}
    used = {a for g in BREAKFAST_GRAMMARS.values() for a in g.actions()} | {"SIL"}
    assert used == set(BREAKFAST_ACTIONS)


@pytest.fixture(scope="module")
def full_length_plans():
    # 150 videos per activity at real length: statistics are about as noisy as real Breakfast's.
    return plan_videos(GeneratorParams(videos_per_activity=150, length_scale=1.0, seed=0))


def test_transcripts_have_sil_at_both_ends_and_real_segment_counts(full_length_plans):
    sil = BREAKFAST_ACTIONS.index("SIL")
    counts = np.array([len(p.segment_actions) for p in full_length_plans])
    assert all(p.segment_actions[0] == sil and p.segment_actions[-1] == sil for p in full_length_plans)
    assert counts.min() >= 3 and counts.max() <= 25
    assert np.median(counts) == 6  # real Breakfast: 6
    assert abs(counts.mean() - 6.81) < 0.5  # real: 6.81


def test_segment_lengths_match_real_quantiles(full_length_plans):
    sil = BREAKFAST_ACTIONS.index("SIL")
    actions = np.concatenate([p.segment_actions for p in full_length_plans])
    lengths = np.concatenate([p.lengths for p in full_length_plans])
    fg, bg = lengths[actions != sil], lengths[actions == sil]
    assert np.median(fg) == pytest.approx(226, rel=0.1)  # real fg median 226, p10 80, p90 830
    assert np.percentile(fg, 10) == pytest.approx(80, rel=0.15)
    assert np.percentile(fg, 90) == pytest.approx(830, rel=0.2)
    assert np.median(bg) == pytest.approx(47, rel=0.15)  # real bg median 47


def test_length_scale_scales_lengths():
    plans = plan_videos(GeneratorParams(videos_per_activity=150, length_scale=0.1, seed=0))
    sil = BREAKFAST_ACTIONS.index("SIL")
    actions = np.concatenate([p.segment_actions for p in plans])
    lengths = np.concatenate([p.lengths for p in plans])
    assert np.median(lengths[actions != sil]) == pytest.approx(22.6, rel=0.1)
    assert lengths.min() == 1


def test_distinct_transcripts_per_activity_in_the_real_range(full_length_plans):
    distinct = defaultdict(set)
    for plan in full_length_plans:
        distinct[plan.activity].add(tuple(plan.segment_actions))
    counts = {a: len(t) for a, t in distinct.items()}
    # Real Breakfast (~170 videos each): 7 (cereals) to 51 (salat).
    assert 5 <= min(counts.values()) <= 12 and counts["cereals"] == min(counts.values())
    assert 30 <= max(counts.values()) <= 65
    assert counts["tea"] < counts["pancake"]


def test_splits_are_by_person_like_breakfast():
    plans = plan_videos(GeneratorParams(videos_per_activity=24))
    test_names = [p.name for p in plans if p.split == "test"]
    assert len(test_names) == 60 and len(plans) == 240
    assert {n.split("_")[0] for n in test_names} == {f"P{i:02d}" for i in range(3, 9)}
    assert plans[0].name == "P03_cam01_P03_cereals"


def test_features_interpolate_prototypes_plus_scene_offset_in_few_directions():
    params = GeneratorParams(dim=16)
    quiet = Difficulty(noise_scale=0.0)
    world = build_world(params)
    plan = VideoPlan("v", "tea", "train", person=2, camera=1,
                     segment_actions=np.array([0, 45, 0]), lengths=np.array([3, 5, 2]))
    features = render_features(plan, world, quiet, 1.0, np.random.default_rng(0))
    offset = features[0] - world.start[0]
    clean = features - offset
    np.testing.assert_allclose(clean[3], world.start[45], atol=1e-5)  # progress 0
    np.testing.assert_allclose(clean[7], world.end[45], atol=1e-5)  # progress 1
    np.testing.assert_allclose(clean[5], (world.start[45] + world.end[45]) / 2, atol=1e-5)
    basis = world.scene_basis
    assert basis.shape == (16, 4)
    np.testing.assert_allclose(basis @ (basis.T @ offset), offset, atol=1e-5)


def test_length_scale_acts_as_a_frame_rate_on_the_noise_correlation():
    """At length scale s a generated frame stands for 1/s real frames: the per-frame AR(1)
    coefficient is rho ** (1/s), so segments span as many correlation times at every scale."""
    quiet = replace(Difficulty(), noise_correlation=0.8, prototype_scale=0.0, progress_scale=0.0,
                    person_scale=0.0, camera_scale=0.0, video_scale=0.0)
    assert quiet.frame_correlation(1.0) == pytest.approx(0.8)
    assert quiet.frame_correlation(0.5) == pytest.approx(0.64)
    assert quiet.frame_correlation(0.05) == pytest.approx(0.8 ** 20)
    params = GeneratorParams(dim=8, length_scale=0.5)
    plan = VideoPlan("v", "tea", "train", person=0, camera=0,
                     segment_actions=np.array([0]), lengths=np.array([20000]))
    noise = render_features(plan, build_world(params), quiet, params.length_scale, np.random.default_rng(0))
    lag1 = np.mean([np.corrcoef(noise[:-1, d], noise[1:, d])[0, 1] for d in range(8)])
    assert lag1 == pytest.approx(0.64, abs=0.02)


def test_ar1_noise_statistics():
    noise = ar1_noise(20000, 4, rho=0.8, scale=2.0, rng=np.random.default_rng(0))
    assert noise.std() == pytest.approx(2.0, rel=0.05)
    lag1 = np.mean([np.corrcoef(noise[:-1, d], noise[1:, d])[0, 1] for d in range(4)])
    assert lag1 == pytest.approx(0.8, abs=0.02)


def test_generation_is_deterministic_in_the_seed(tmp_path):
    small = GeneratorParams(videos_per_activity=8, seed=5)
    roots = [generate(tmp_path / name, p) for name, p in
             [("a", small), ("b", small), ("c", replace(small, seed=6))]]
    name = "P03_cam01_P03_pancake"
    a, b, c = (np.load(r / "features" / f"{name}.npy") for r in roots)
    np.testing.assert_array_equal(a, b)
    assert (roots[0] / "groundTruth" / f"{name}.txt").read_text() == (
        roots[1] / "groundTruth" / f"{name}.txt").read_text()
    assert a.shape[0] == 64 and not np.array_equal(a[:, :5], c[:, :5])


def test_invalid_parameters():
    with pytest.raises(DataError, match="preset: expected one of"):
        plan_videos(GeneratorParams(preset="gtea-like"))
    with pytest.raises(DataError, match="videos_per_activity"):
        plan_videos(GeneratorParams(videos_per_activity=1))
    with pytest.raises(DataError, match="dim: expected at least 5"):
        plan_videos(GeneratorParams(dim=4))
    with pytest.raises(DataError, match="length_scale"):
        plan_videos(GeneratorParams(length_scale=0))
    # the same bounds as a config's data section, so `itas synth` accepts what `itas run` does
    with pytest.raises(DataError, match=r"^dim: expected at most 16384, got 16385$"):
        plan_videos(GeneratorParams(dim=16385))
    with pytest.raises(DataError, match=r"^length_scale: expected a number in \(0, 10\], got 20$"):
        plan_videos(GeneratorParams(length_scale=20))
    assert "breakfast-like" in PRESETS


def test_quick_dataset_reads_back(quick_dataset):
    assert len(quick_dataset.train) == 180 and len(quick_dataset.test) == 60
    assert quick_dataset.train[0].dim == 64
    labels, starts, ends = segments(quick_dataset.train[0].labels)
    assert labels[0] == labels[-1] == 0 and ends[-1] == quick_dataset.train[0].num_frames
