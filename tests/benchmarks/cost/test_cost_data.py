import pytest

from benchmarks.cli import main
from benchmarks.config import bundled_config, load_config, resolve_config
from benchmarks.cost.cost_data import BREAKFAST, data_profile
from benchmarks.orchestration.data import experiment_scenario, load_experiment_data
from tasks.errors import DataError

pytestmark = pytest.mark.usefixtures("itas_cache")
TINY_DATA = {"dim": 16, "videos_per_activity": 6, "length_scale": 0.05}


def _loaded_counts(cfg: dict) -> tuple[list, int]:
    scenario = experiment_scenario(cfg, load_experiment_data(cfg["data"]), 7)
    return [([v.num_frames for v in t.train], sum(v.num_frames for v in t.test)) for t in scenario.tasks], scenario.num_classes


@pytest.mark.parametrize("labels", ["disjoint", "blurry"])
def test_procedural_plan_and_data_folder_count_what_a_run_loads(tmp_path, labels):
    cfg = resolve_config({"data": TINY_DATA, "protocol": {"tasks": 5, "labels": labels}})
    expected_tasks, expected_classes = _loaded_counts(cfg)
    planned = data_profile(cfg)
    assert (planned.tasks(5, 7), planned.num_classes, planned.dim) == (expected_tasks, expected_classes, 16)
    root = tmp_path / "data"
    assert main(["synth", str(root), "--dim", "16", "--videos-per-activity", "6", "--length-scale", "0.05"]) == 0
    folder = data_profile(resolve_config({"data": {"root": str(root)}, "protocol": {"tasks": 5, "labels": labels}}))
    assert (folder.tasks(5, 7), folder.num_classes, folder.dim) == (expected_tasks, expected_classes, 16)
    assert folder.source == f"data folder {root}" and not folder.note


def test_a_custom_folder_is_counted_with_its_activities(tmp_path):
    root = tmp_path / "data"
    assert main(["synth", str(root), "--dim", "16", "--videos-per-activity", "6", "--length-scale", "0.05"]) == 0
    protocol = {"tasks": 5, "labels": "disjoint"}
    named = data_profile(resolve_config({"data": {"root": str(root), "dataset": "breakfast"}, "protocol": protocol}))
    listed = data_profile(resolve_config({"data": {"root": str(root), "dataset": "custom", "activities": str(root / "activities.txt")},
                                          "protocol": protocol}))
    assert (listed.tasks(5, 7), listed.num_classes, listed.dim) == (named.tasks(5, 7), 84, 16)
    pattern = data_profile(resolve_config({"data": {"root": str(root), "dataset": "custom", "activity_pattern": "_([a-z]+)$"},
                                           "protocol": protocol}))
    assert pattern.tasks(5, 7) == named.tasks(5, 7)


def test_absent_breakfast_falls_back_to_its_published_totals_with_a_note():
    profile = data_profile(load_config(bundled_config("paper")))
    assert len(profile.videos) == BREAKFAST["videos"] and (profile.dim, profile.num_classes) == (2048, 84)
    assert abs(sum(v.frames for v in profile.videos) - BREAKFAST["frames"]) < len(profile.videos)
    assert profile.note.startswith("data/breakfast not found: Breakfast's published totals are used")
    tests = sum(v.split == "test" for v in profile.videos)
    assert tests == pytest.approx(BREAKFAST["videos"] * 13 / 52, abs=10)
    with pytest.raises(DataError, match="^data.root: /nowhere not found"):
        data_profile(resolve_config({"data": {"root": "/nowhere", "dataset": "gtea"}}))
