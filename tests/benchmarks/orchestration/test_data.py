import numpy as np

from benchmarks.cli import main
from benchmarks.config import resolve_config
from benchmarks.orchestration.data import load_experiment_data

TINY_DATA = {"dim": 16, "videos_per_activity": 6, "length_scale": 0.05}


def test_procedural_data_is_generated_into_the_itas_cache(itas_cache):
    dataset = load_experiment_data(resolve_config({"data": TINY_DATA})["data"])
    assert dataset.root.parent == itas_cache
    assert dataset.root.name.startswith("breakfast-like-d16-n6-l0.05-s0-v")
    assert (len(dataset.train), len(dataset.test)) == (40, 20)
    assert dataset.train[0].features.shape[1] == 16


def test_a_data_root_is_read_like_the_cached_procedural_data(itas_cache, tmp_path):
    # `itas synth` with the same generator parameters writes the same dataset the cache holds
    root = tmp_path / "data"
    assert main(["synth", str(root), "--dim", "16", "--videos-per-activity", "6", "--length-scale", "0.05",
                 "--seed", "0"]) == 0
    from_root = load_experiment_data(resolve_config({"data": {"root": str(root), "background": ["SIL"]}})["data"])
    cached = load_experiment_data(resolve_config({"data": TINY_DATA})["data"])
    assert from_root.root == root and from_root.background == ("SIL",)
    assert [v.name for v in from_root.train] == [v.name for v in cached.train]
    assert all(np.array_equal(a.features, b.features) and np.array_equal(a.labels, b.labels)
               for a, b in zip(from_root.videos, cached.videos))


def test_data_preset_noise_dominated_is_the_earlier_default(itas_cache):
    """`data.preset: noise-dominated` gives the earlier default's frames (no drift, no segment
    offsets): same labels as the default preset, other features, in its own cache folder."""
    default = load_experiment_data(resolve_config({"data": TINY_DATA})["data"])
    earlier = load_experiment_data(resolve_config({"data": {**TINY_DATA, "preset": "noise-dominated"}})["data"])
    assert earlier.root.name.startswith("noise-dominated-d16-n6-l0.05-s0-v") and earlier.root != default.root
    for a, b in zip(default.train, earlier.train):
        assert a.name == b.name and np.array_equal(a.labels, b.labels)
        assert not np.allclose(a.features, b.features)
