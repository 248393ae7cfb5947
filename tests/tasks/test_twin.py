"""The procedural twin on procedural data of known parameters: what the fit recovers, how close the
twin's profile comes to its source's, and that no source frame is copied."""
import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from tasks.activities import BACKGROUND, BREAKFAST_GRAMMARS, BREAKFAST_LENGTHS
from tasks.datasets import load_dataset
from tasks.procedural import PRESETS, GeneratorParams, _log_sigma, action_log_medians, build_world, generate
from tasks.profile import feature_statistics
from tasks.label_stats import label_statistics
from tasks.mstcn import write_dataset
from tasks.twin import fit_twin, render_twin
from tasks.video import segments

NOISE = 1.0
KNOWN = GeneratorParams("noise-dominated", dim=16, videos_per_activity=8, length_scale=0.1, seed=5, noise_std=NOISE, noise_correlation=0.0)
# The profile of a twin vs its source's (issue 16's "within tolerances you state"), checked below on
# procedural data with structure: the white share within 5 points, lag-1 autocorrelation within 0.1,
# nearest-class-mean accuracy within 10 points, between/within-class variance within a factor 1.5,
# median foreground segment length within 20%, median segments per video within 1.
PROFILE_TOLERANCE = {"white_share": 0.05, "lag1_autocorrelation": 0.1, "nearest_mean_accuracy": 0.10}


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    root = generate(tmp_path_factory.mktemp("twin") / "source", KNOWN)
    data = load_dataset(root, "breakfast")
    return data, fit_twin(data, 1)


def test_fit_recovers_the_generator_parameters(known):
    data, model = known
    world, fitted = build_world(KNOWN), model.features
    frames = np.bincount(np.concatenate([v.labels for v in data.train]), minlength=len(data.actions))
    seen = frames >= 100
    # white noise: its std per dimension within 5%
    assert np.median(fitted.white_std) == pytest.approx(NOISE, rel=0.05)
    assert fitted.rho == pytest.approx(0.0, abs=0.05) and fitted.summary()["smooth_variance"] < 0.05 * NOISE ** 2
    # start→end paths and (centred) start prototypes of the classes with ≥ 100 training frames
    path_error = np.linalg.norm((fitted.end - fitted.start) - (world.end - world.start), axis=1)
    assert np.median(path_error[seen] / np.linalg.norm(world.end - world.start, axis=1)[seen]) < 0.3
    centred = lambda a: a[seen] - a[seen].mean(0)
    start_error = np.linalg.norm(centred(fitted.start) - centred(world.start), axis=1)
    assert (start_error / np.linalg.norm(centred(world.start), axis=1)).max() < 0.4
    # per-video offsets live in the generator's 4 scene directions
    basis = world.scene_basis
    offsets = fitted.video_root @ fitted.video_root.T
    assert np.trace(basis.T @ offsets @ basis) / np.trace(offsets) > 0.8
    # log-normal lengths: each foreground action's log mean within 3 standard errors (+ rounding)
    truth = action_log_medians(PRESETS[KNOWN.preset], np.random.default_rng([KNOWN.seed, 0])) + np.log(KNOWN.length_scale)
    sigma = np.sqrt(_log_sigma(BREAKFAST_LENGTHS.fg_p10, BREAKFAST_LENGTHS.fg_p90) ** 2 - 0.45 ** 2)
    counts = np.bincount(np.concatenate([segments(v.labels)[0] for v in data.videos]), minlength=len(data.actions))
    checked = [a for a in model.lengths if data.actions[a] != BACKGROUND and counts[a] >= 10]
    assert len(checked) >= 10
    for action in checked:
        assert abs(model.lengths[action][0] - truth[action]) <= 3 * sigma / np.sqrt(counts[action]) + 0.05
    assert np.median([model.lengths[a][1] for a in checked]) == pytest.approx(sigma, abs=0.15)
    # label side: every activity's action set and video counts
    summary = model.summary()
    for activity, grammar in BREAKFAST_GRAMMARS.items():
        assert set(summary["action_sets"][activity]) == set(grammar.actions()) | {BACKGROUND}
        assert summary["videos"][activity] == (6, 2)


@pytest.fixture(scope="module")
def structured(tmp_path_factory):
    params = GeneratorParams("noise-dominated", dim=16, videos_per_activity=8, length_scale=0.05, seed=3, structure=1.0,
                             noise_std=1.5, noise_correlation=0.0)
    root = generate(tmp_path_factory.mktemp("twin") / "structured", params)
    data = load_dataset(root, "breakfast")
    model = fit_twin(data, 1)
    videos, bundles = render_twin(model, seed=0)
    twin_root = write_dataset(tmp_path_factory.mktemp("twin") / "copy", model.actions, videos, bundles)
    return data, load_dataset(twin_root, "breakfast")


def test_the_twin_profile_matches_its_source(structured):
    source, twin = structured
    measured = {}
    for name, data in (("source", source), ("twin", twin)):
        measured[name] = {**feature_statistics(data.train, data.test, data.actions),
                          **label_statistics(data.videos, data.actions, [BACKGROUND])}
    a, b = measured["source"], measured["twin"]
    for key, tolerance in PROFILE_TOLERANCE.items():
        assert abs(a[key] - b[key]) <= tolerance, (key, a[key], b[key])
    assert 1 / 1.5 <= b["separability"] / a["separability"] <= 1.5
    fg = a["segment_lengths"]["foreground"]["median"], b["segment_lengths"]["foreground"]["median"]
    assert fg[1] == pytest.approx(fg[0], rel=0.2)
    assert abs(a["segments_per_video"]["median"] - b["segments_per_video"]["median"]) <= 1
    assert twin.activities == source.activities and len(twin.train) == len(source.train)


def test_no_twin_frame_is_a_copy(structured):
    source, twin = structured
    real = np.concatenate([v.features for v in source.videos])
    fake = np.concatenate([v.features for v in twin.videos])
    index = NearestNeighbors(n_neighbors=2).fit(real)
    typical = np.median(index.kneighbors(real[::5])[0][:, 1])  # a real frame's nearest other real frame
    closest = index.kneighbors(fake, n_neighbors=1)[0].min()
    # no twin frame closer to a real frame than a tenth of the typical real-to-real neighbour distance
    assert closest > 0.1 * typical, (closest, typical)
