import pytest

from tasks.cache import cache_dir, load_procedural, procedural_root
from tasks.errors import DataError


def test_generated_once_per_parameter_set(tmp_path, monkeypatch):
    monkeypatch.setenv("ITAS_CACHE", str(tmp_path))
    root = procedural_root(videos_per_activity=8, seed=3)
    assert root.parent == tmp_path == cache_dir()
    assert root.name == "breakfast-like-d64-n8-l0.1-s3-v3"
    stamp = (root / "generator.json").stat().st_mtime_ns
    assert procedural_root(videos_per_activity=8, seed=3) == root
    assert (root / "generator.json").stat().st_mtime_ns == stamp
    assert procedural_root(videos_per_activity=8, seed=4) != root
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "breakfast-like-d64-n8-l0.1-s3-v3", "breakfast-like-d64-n8-l0.1-s4-v3"]


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
