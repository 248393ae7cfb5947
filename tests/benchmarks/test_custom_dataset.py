"""A dataset from another lab in the MS-TCN layout runs end to end: here surgical-gesture-like data
(video names case<nnn> that say nothing about the activity, gestures G<k>, four surgical tasks named
in an activities file), built from procedural videos of four Breakfast activities."""
import json

import pandas as pd
import pytest
import yaml
from tiny_config import tiny_config

from benchmarks.cli import main
from tasks.cache import procedural_root
from tasks.datasets import load_dataset
from tasks.mstcn import write_dataset

pytestmark = pytest.mark.usefixtures("itas_cache")
SURGERY = {"cereals": "suturing", "coffee": "knot_tying", "tea": "needle_passing", "milk": "peg_transfer"}


@pytest.fixture(scope="module")
def surgical(tmp_path_factory, itas_cache):
    source = load_dataset(procedural_root("breakfast-like", 16, 6, 0.05, 0), "breakfast")
    gestures = [f"G{i}" for i in range(len(source.actions))]
    videos, bundles, activities = [], {"train.split1": [], "test.split1": []}, []
    for part, listed in (("train", source.train), ("test", source.test)):
        for video in (v for v in listed if v.activity in SURGERY):
            name = f"case{len(videos):03d}"
            videos.append((name, video.features, video.labels))
            bundles[f"{part}.split1"].append(name)
            activities.append(f"{name} {SURGERY[video.activity]}\n")
    root = write_dataset(tmp_path_factory.mktemp("lab") / "surgical", gestures, videos, bundles)
    (root.parent / "activities.txt").write_text("".join(activities))
    return root, root.parent / "activities.txt"


def test_check_without_a_dataset_says_what_to_pass(surgical, capsys):
    root, _ = surgical
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"itas check: error: {root}: cannot tell the dataset from the folder name; pass "
                          "--dataset 50salads|breakfast|gtea, or --activities FILE")


def test_check_with_the_activities_file(surgical, capsys):
    root, activities = surgical
    assert main(["check", str(root), "--activities", str(activities)]) == 0
    out = capsys.readouterr().out
    assert f"{root}: custom split 1 OK" in out
    assert "activities  4: knot_tying, needle_passing, peg_transfer, suturing" in out


def test_a_breakfast_reading_of_the_folder_points_to_custom(surgical, capsys):
    assert main(["check", str(surgical[0]), "--dataset", "breakfast"]) == 2
    assert "for another dataset use data.dataset: custom with data.activities" in capsys.readouterr().err


def test_run_end_to_end_on_the_surgical_dataset(surgical, tmp_path, capsys):
    root, activities = surgical
    cfg = tiny_config(data={"root": str(root), "dataset": "custom", "activities": str(activities)},
                      protocol={"tasks": 2, "labels": "disjoint", "seeds": [42]},
                      strategies=["finetune", "mean"], budgets=[{"videos": 4}])
    (tmp_path / "surgical.yaml").write_text(yaml.safe_dump(cfg))
    code = main(["run", str(tmp_path / "surgical.yaml"), "--out", str(tmp_path / "out"), "--device", "cpu",
                 "--no-progress", "--jobs", "1"])
    assert code == 0, capsys.readouterr().err
    tasks = json.loads((tmp_path / "out" / "tasks.json").read_text())["seeds"]["42"]["tasks"]
    assert sorted(a for t in tasks for a in t["activities"]) == sorted(SURGERY.values())
    assert all(c.split("/")[0] in t["activities"] and c.split("/")[1].startswith("G")
               for t in tasks for c in t["classes"])
    metrics = pd.read_csv(tmp_path / "out" / "metrics.csv")
    assert set(metrics["strategy"]) == {"finetune", "mean"}
    assert len(metrics) == 2 * 4 * 5  # strategies x R cells x metrics
    saved = sorted(p.name for p in (tmp_path / "out" / "predictions" / "finetune__none__seed42" / "after_task1").iterdir())
    assert saved and all(name.startswith("case") for name in saved)


def test_custom_needs_its_activities_in_the_config(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(tiny_config(data={"dataset": "custom"})))
    assert main(["run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "'data.dataset: custom' needs exactly one of 'data.activities'" in capsys.readouterr().err
