"""`itas synth --like DATA OUT`: a twin folder that `itas check` and the runner read as they are,
a PCA-reduced twin, and bad input."""
import json

import numpy as np
import pytest
from tiny_config import tiny_config, write_config

from benchmarks.cli import main
from tasks.datasets import load_dataset
from tasks.procedural import GeneratorParams, generate


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("like") / "breakfast",
                    GeneratorParams("noise-dominated", dim=16, videos_per_activity=4, length_scale=0.05, seed=2, structure=1.0))


@pytest.fixture(scope="module")
def twin(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("like") / "twin"
    assert main(["synth", "--like", str(source), str(out), "--seed", "7"]) == 0
    return out


def test_twin_folder_is_a_dataset_check_reads_without_flags(twin, capsys):
    assert sorted(p.name for p in twin.iterdir()) == [
        "activities.txt", "features", "groundTruth", "mapping.txt", "splits", "twin.json"]
    fitted = json.loads((twin / "twin.json").read_text())
    assert fitted["seed"] == 7 and fitted["features"]["dim"] == 16 and set(fitted["videos"]) >= {"tea", "milk"}
    capsys.readouterr()
    assert main(["check", str(twin)]) == 0
    out = capsys.readouterr().out
    assert "custom split 1 OK" in out and "30 train + 10 test" in out and "activities  10:" in out
    # the runner's default naming convention (breakfast: the last '_' token) reads the same activities
    assert load_dataset(twin, "breakfast").activities == load_dataset(twin, "custom", activities=twin / "activities.txt").activities


def test_twin_is_deterministic_in_its_seed_and_can_reduce_dim(source, twin, tmp_path):
    again = tmp_path / "again"
    assert main(["synth", "--like", str(source), str(again), "--seed", "7"]) == 0
    name = sorted((twin / "features").iterdir())[0].name
    assert np.array_equal(np.load(twin / "features" / name), np.load(again / "features" / name))
    small = tmp_path / "small"
    assert main(["synth", "--like", str(source), str(small), "--dim", "4"]) == 0
    assert np.load(small / "features" / name).shape[0] == 4
    assert json.loads((small / "twin.json").read_text())["features"]["projected_from"] == 16


@pytest.mark.parametrize("make", ["missing", "empty", "no mapping"])
def test_like_on_a_folder_that_is_not_a_dataset(tmp_path, capsys, make):
    data = tmp_path / "data"
    if make != "missing":
        data.mkdir()
    if make == "no mapping":
        (data / "splits").mkdir()
    capsys.readouterr()
    assert main(["synth", "--like", str(data), str(tmp_path / "out"), "--dataset", "breakfast"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"itas synth: error: {data}"), err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_itas_run_trains_on_a_twin(twin, tmp_path):
    cfg = tiny_config(data={"root": str(twin)}, strategies=["finetune"], protocol={"tasks": 5, "seeds": [42]})
    assert main(["run", str(write_config(tmp_path / "twin.yaml", cfg)), "--out", str(tmp_path / "run"),
                 "--device", "cpu", "--no-progress", "--jobs", "1"]) == 0
    assert (tmp_path / "run" / "metrics.csv").stat().st_size > 0


def test_like_refuses_a_non_empty_out_before_fitting(source, twin, capsys):
    capsys.readouterr()
    assert main(["synth", "--like", str(source), str(twin)]) == 2
    assert capsys.readouterr().err.strip() == f"itas synth: error: {twin}: output exists and is not an empty folder"
