"""The cost model on hand-made counts and rates, and `itas estimate` end to end on the tiny config."""
import contextlib
import io
import json

import pytest
from tiny_config import TCA, tiny_config, write_config

from benchmarks.cost.calibration import Rates
from benchmarks.cli import main
from benchmarks.config import resolve_config
from benchmarks.cost.cost_data import DataProfile, VideoCount
from benchmarks.cost.estimate import estimate_runs, sweep_seconds

pytestmark = pytest.mark.usefixtures("itas_cache")

# 2 tasks of 2 activities; a task: 6 training videos of 10 frames (60) and 2 test videos of 5 (10)
PROFILE = DataProfile(
    [VideoCount(activity, split, frames) for activity in "abcd"
     for split, frames, count in (("train", 10, 3), ("test", 5, 1)) for _ in range(count)],
    dim=8, num_classes=6, source="by hand")
SIZE = (4, 16, 4096)
RATES = Rates(clock="wall time", train_call=1.0, train_frame=0.01, eval_call=0.5, eval_frame=0.001,
              tca_frame_epoch={SIZE: 0.001}, inversion_frame_step={SIZE: 0.0001}, decode_frame={SIZE: 0.002})


def _estimate(strategies, budgets=({"videos": 4},)):
    cfg = resolve_config({"protocol": {"tasks": 2}, "train": {"epochs": 2}, "strategies": strategies,
                          "budgets": list(budgets)})
    return {run.key.split("__")[0]: run for run in estimate_runs(cfg, PROFILE, RATES)}


def test_backbone_and_evaluation_by_hand():
    runs = _estimate(["finetune", "joint", "original", "lwf"])
    evaluation = 2 * (2 * 0.5 + 20 * 0.001)  # after each task: 2 test experiences, 20 test frames
    assert runs["finetune"].parts["evaluation"] == pytest.approx(evaluation)
    assert runs["finetune"].seconds == pytest.approx(2 * 2 * (1 + 60 * 0.01) + evaluation)
    # task 1 trains on 60 new + 60 joint frames; original replays its 4 kept videos (40 frames)
    assert runs["joint"].parts["backbone"] == pytest.approx(2 * (1 + 0.6) + 2 * (1 + 1.2))
    assert runs["original"].parts["backbone"] == pytest.approx(2 * (1 + 0.6) + 2 * (1 + 1.0))
    # lwf adds a forward of the previous model over task 1's frames
    assert runs["lwf"].parts["backbone"] == pytest.approx(runs["finetune"].parts["backbone"] + 2 * 60 * 0.001)


def test_latent_memories_share_tca_training_in_plan_order():
    runs = _estimate([{"name": "tca", "params": {**TCA, "tca_epochs": 10}},
                      {"name": "condensed", "params": {**TCA, "tca_epochs": 10, "inversion_steps": 100}},
                      {"name": "encoded", "params": {**TCA, "tca_epochs": 20}}])
    tca = 2 * 10 * 60 * 0.001  # two tasks of 60 frames, 10 epochs
    assert runs["tca"].parts["tca"] == pytest.approx(tca) and runs["tca"].seconds == runs["tca"].seconds_alone
    # condensed: same TCA parameters (shared); it inverts the videos it keeps of a new task: gamma 0.5
    # caps task 0 at 3 of 6 (30 frames), task 1 gets 2 of the 4-video budget (20 frames); 100 steps
    assert runs["condensed"].parts["inversion"] == pytest.approx(100 * (30 + 20) * 0.0001)
    assert runs["condensed"].seconds == pytest.approx(runs["condensed"].seconds_alone - tca)
    assert runs["condensed"].parts["decoding"] == pytest.approx(30 * 0.002)  # task 1 replays task 0's kept videos
    assert runs["encoded"].seconds == runs["encoded"].seconds_alone  # other epochs: its own TCA


def test_sweep_schedules_runs_in_order_on_free_workers():
    assert sweep_seconds([3, 2, 2, 1], jobs=1) == 8
    assert sweep_seconds([3, 2, 2, 1], jobs=2) == 4  # 3 | 2 + 2, then 1 after the 3
    assert sweep_seconds([3, 2, 2, 1], jobs=8) == 3


def test_estimate_command_prints_one_json_object(tmp_path):
    long_tca = {**TCA, "tca_epochs": 5000}  # nothing trains: long enough that sharing shows in 0.1 s
    cfg = tiny_config(strategies=["finetune", {"name": "tca", "params": long_tca},
                                  {"name": "condensed", "params": {"K": 2, **long_tca, "inversion_steps": 5}}])
    config = write_config(tmp_path / "tiny.yaml", cfg)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        assert main(["estimate", str(config), "--device", "cpu", "--jobs", "1", "--seconds", "0.02", "--json"]) == 0
    result = json.loads(stdout.getvalue())
    assert [run["key"] for run in result["runs"]] == [
        "finetune__none__seed42", "tca__bytes=100KB__seed42", "condensed__bytes=100KB__seed42"]
    assert result["total_seconds"] == pytest.approx(sum(run["seconds"] for run in result["runs"]), abs=0.2)
    condensed = result["runs"][2]
    assert condensed["seconds"] < condensed["seconds_without_sharing"]
    assert result["total_seconds"] < result["total_seconds_without_sharing"]
    assert result["data"]["dim"] == 16 and result["calibration"]["train_frame_s"] > 0
