"""The generator's white-noise overrides and structured within-segment part (`data.noise_std`,
`data.noise_correlation`, `data.structure`): defaults keep the preset's exact output."""
import hashlib
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.config import resolve_config
from tasks.cache import procedural_root
from tasks.errors import DataError
from tasks.procedural import GeneratorParams, plan_videos, render_videos
from tasks.video import segments

SMALL = GeneratorParams("noise-dominated", dim=16, videos_per_activity=6, length_scale=0.05, seed=0)
# sha256 of every video's name, features and labels of SMALL, from the generator before the
# overrides and the structured part existed (generator version 4, whose breakfast-like preset is
# today's noise-dominated).
SMALL_SHA256 = "ec2be5c37e5a26d4478a5d85ac96c1ebc33f3aadd7c07389fa135d79e9e5df9d"


def _features(params: GeneratorParams) -> list[tuple[str, np.ndarray, np.ndarray]]:
    return list(render_videos(plan_videos(params), params))


def test_defaults_keep_the_generator_output():
    digest = hashlib.sha256()
    for name, features, labels in _features(SMALL):
        digest.update(name.encode())
        digest.update(features.tobytes())
        digest.update(labels.tobytes())
    assert digest.hexdigest() == SMALL_SHA256
    same = replace(SMALL, noise_std=3.5, noise_correlation=0.8, structure=0.0)
    for (_, a, _), (_, b, _) in zip(_features(SMALL), _features(same)):
        np.testing.assert_array_equal(a, b)


def test_noise_std_scales_only_the_white_noise():
    quiet = _features(replace(SMALL, noise_std=0.0))
    difference = np.concatenate([a - b for (_, a, _), (_, b, _) in zip(_features(SMALL), quiet)])
    assert difference.std() == pytest.approx(3.5, rel=0.03)


def _within_segment(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    _, starts, ends = segments(labels)
    return np.concatenate([features[s:e] - features[s:e].mean(0) for s, e in zip(starts, ends)])


def test_structure_adds_smooth_learnable_within_segment_variation():
    plain = _features(SMALL)
    structured = _features(replace(SMALL, structure=2.0))
    parts = [(b - a, labels) for (_, a, labels), (_, b, _) in zip(plain, structured)]
    within = np.concatenate([_within_segment(part, labels) for part, labels in parts])
    # per-element within-segment variance about structure² (the trajectory), far from 0
    assert 2.0 <= within.var() <= 6.0
    # smooth over progress: consecutive frames of a segment are strongly correlated
    lag = [np.corrcoef(w[:-1].ravel(), w[1:].ravel())[0, 1]
           for part, labels in parts for s, e in zip(*segments(labels)[1:]) if e - s >= 12
           for w in [part[s:e] - part[s:e].mean(0)]]
    assert np.median(lag) > 0.7
    # shared by the action: two instances of the same action follow correlated trajectories
    by_action: dict[int, list[np.ndarray]] = {}
    for part, labels in parts:
        for label, s, e in zip(*segments(labels)):
            if e - s >= 12:
                c = np.linspace(0, 1, e - s)
                grid = np.linspace(0, 1, 8)
                shape = np.stack([np.interp(grid, c, column) for column in (part[s:e] - part[s:e].mean(0)).T])
                by_action.setdefault(int(label), []).append(shape.ravel())
    pairs = [np.corrcoef(shapes[0], shapes[1])[0, 1] for shapes in by_action.values() if len(shapes) >= 2]
    assert len(pairs) >= 5 and np.median(pairs) > 0.5


@pytest.mark.parametrize(
    ("key", "value", "message", "expected"),
    [("noise_std", -1.0, "noise_std: expected a number >= 0 or null", "a number >= 0 or null"),
     ("noise_correlation", 1.0, r"noise_correlation: expected a number in \[0, 1\) or null", r"a number in \[0, 1\) or null"),
     ("structure", "high", "structure: expected a number >= 0", "a number >= 0")],
)
def test_bad_generator_keys_name_the_key(key, value, message, expected):
    with pytest.raises(DataError, match=message):
        replace(SMALL, **{key: value}).validate()
    with pytest.raises(DataError, match=f"^config: 'data.{key}' must be {expected}, got {value!r}$"):
        resolve_config({"data": {key: value}})


def test_cache_folder_names_only_the_overrides_that_are_set(tmp_path, monkeypatch):
    monkeypatch.setenv("ITAS_CACHE", str(tmp_path))
    default = procedural_root(dim=8, videos_per_activity=4, length_scale=0.05)
    structured = procedural_root(dim=8, videos_per_activity=4, length_scale=0.05, noise_std=1.5, structure=2.0)
    assert default.name == f"breakfast-like-d8-n4-l0.05-s0-{default.name.split('-s0-')[1]}"
    assert "-s0-w1.5-a2-v" in structured.name and structured != default
