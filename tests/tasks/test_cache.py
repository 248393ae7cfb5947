from dataclasses import replace

import pytest

from tasks.cache import cache_dir, load_procedural, procedural_root
from tasks.errors import DataError
from tasks.procedural import GENERATOR_VERSION, PRESETS, preset_fingerprint


def test_generated_once_per_parameter_set(tmp_path, monkeypatch):
    monkeypatch.setenv("ITAS_CACHE", str(tmp_path))
    root = procedural_root(videos_per_activity=8, seed=3)
    assert root.parent == tmp_path == cache_dir()
    version = f"v{GENERATOR_VERSION}-{preset_fingerprint('breakfast-like')}"
    assert root.name == f"breakfast-like-d64-n8-l0.1-s3-{version}"
    stamp = (root / "generator.json").stat().st_mtime_ns
    assert procedural_root(videos_per_activity=8, seed=3) == root
    assert (root / "generator.json").stat().st_mtime_ns == stamp
    assert procedural_root(videos_per_activity=8, seed=4) != root
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"breakfast-like-d64-n8-l0.1-s3-{version}", f"breakfast-like-d64-n8-l0.1-s4-{version}"]


def test_load_procedural_goes_through_the_reader(tmp_path, monkeypatch):
    monkeypatch.setenv("ITAS_CACHE", str(tmp_path))
    data = load_procedural(videos_per_activity=8, seed=3)
    assert data.name == "breakfast" and len(data.actions) == 48
    assert len(data.train) == 60 and len(data.test) == 20
    assert data.activities[0] == "cereals"


def test_default_location_and_bad_parameters(tmp_path, monkeypatch):
    monkeypatch.delenv("ITAS_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "itas"
    with pytest.raises(DataError, match="videos_per_activity"):
        procedural_root(videos_per_activity=0)
    assert not (tmp_path / ".cache").exists()


def test_changed_preset_constants_get_a_new_folder(tmp_path, monkeypatch):
    """A cached dataset is never reused once a difficulty constant changes (not only on a version bump)."""
    monkeypatch.setenv("ITAS_CACHE", str(tmp_path))
    before = procedural_root(videos_per_activity=4, length_scale=0.05)
    preset = PRESETS["breakfast-like"]
    monkeypatch.setitem(PRESETS, "breakfast-like", replace(preset, difficulty=replace(preset.difficulty, noise_scale=9.0)))
    after = procedural_root(videos_per_activity=4, length_scale=0.05)
    assert after != before and (after / "generator.json").is_file()
