"""output.save_predictions: MS-TCN results files that `itas eval` re-scores to the metrics.csv rows,
and the ribbon record (ground truth and prediction after every task) of each run."""
import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from tiny_config import tiny_config, write_config

from benchmarks.cli import main
from benchmarks.orchestration.predictions import PredictionFiles, RibbonRecorder
from benchmarks.orchestration.training import run_key
from results.prediction_files import MSTCN_HEADER, read_label_file
from tasks.errors import DataError

RUN = "finetune__none__seed42"


def itas_eval_json(gt, pred) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["eval", "--gt", str(gt), "--pred", str(pred), "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("run", [RUN, "mean__videos=4__seed42"])
@pytest.mark.parametrize("train_task", [0, 1])
@pytest.mark.parametrize("eval_task", [0, 1])
def test_itas_eval_on_saved_predictions_reproduces_the_metrics_row(inspected_run, run, train_task, eval_task):
    folder = inspected_run / "predictions" / run
    scores = itas_eval_json(folder / "groundTruth" / f"task{eval_task}", folder / f"after_task{train_task}")
    metrics = pd.read_csv(inspected_run / "metrics.csv").query(
        f"strategy == '{run.split('__')[0]}' and train_task == {train_task} and eval_task == {eval_task}")
    assert {m: round(v, 4) for m, v in scores.items()} == metrics.set_index("metric")["value"].to_dict()
    record = json.loads((inspected_run / "runs" / f"{run}.json").read_text())
    exact = {m: v for _, i, j, m, v in record["metrics"] if (i, j) == (train_task, eval_task)}
    # the run record's full-precision floats; Edit's mean over videos may differ in the last bit, as
    # `itas eval` sums the videos in file-name order and the run in loader order
    assert scores == pytest.approx(exact, rel=1e-12, abs=0)


def test_prediction_files_are_mstcn_results_files_of_every_test_video(inspected_run):
    folder = inspected_run / "predictions" / RUN
    tasks = json.loads((inspected_run / "tasks.json").read_text())["seeds"]["42"]["tasks"]
    gts = sorted((folder / "groundTruth").glob("task*/*.txt"))
    assert len(gts) == sum(t["test_videos"] for t in tasks)
    classes = {c for t in tasks for c in t["classes"]}
    for after in (0, 1):
        files = sorted((folder / f"after_task{after}").iterdir())
        assert [f.name for f in files] == sorted(g.stem for g in gts)  # MS-TCN names them without .txt
    first = files[0].read_text().split("\n")
    assert first[0] == MSTCN_HEADER and len(first) == 2
    assert set(first[1].split()) <= classes
    assert len(first[1].split()) == len(read_label_file(next(g for g in gts if g.stem == files[0].name)))


def test_the_run_record_keeps_ribbons_of_three_first_task_videos(inspected_run):
    ribbons = json.loads((inspected_run / "runs" / f"{RUN}.json").read_text())["ribbons"]
    assert len(ribbons["videos"]) == 3 and len(ribbons["after_task"]) == 2
    gt_dir = inspected_run / "predictions" / RUN / "groundTruth" / "task0"
    for v, name in enumerate(ribbons["videos"]):
        labels = read_label_file(gt_dir / f"{name}.txt")
        assert [label for label, n in ribbons["truth"][v] for _ in range(n)] == list(labels)
        for after in ribbons["after_task"]:
            assert sum(n for _, n in after[v]) == len(labels)
        final = read_label_file(inspected_run / "predictions" / RUN / "after_task1" / name)
        assert [label for label, n in ribbons["after_task"][1][v] for _ in range(n)] == list(final)


def test_last_keeps_only_the_last_task_and_none_is_not_listened_to(tmp_path):
    classes = ["a", "b", "c"]
    names, gts, preds = ["v1", "v2"], [np.array([0, 0, 1]), np.array([2])], {"": [np.array([0, 1, 1]), np.array([2])],
                                                                             "nme": [np.array([1, 1, 1]), np.array([0])]}
    save = PredictionFiles(lambda p: tmp_path / (p or "head"), classes, "last", last_task=2)
    for train_task in range(3):
        save(train_task, 1, names, gts, preds)
    assert sorted(p.name for p in (tmp_path / "head").iterdir()) == ["after_task2", "groundTruth"]
    assert (tmp_path / "nme" / "after_task2" / "v1").read_text() == f"{MSTCN_HEADER}\nb b b"
    assert (tmp_path / "head" / "groundTruth" / "task1" / "v1.txt").read_text() == "a\na\nb\n"
    ribbons = RibbonRecorder(classes, videos=1)
    ribbons(0, 1, names, gts, preds)  # not the first task: ignored
    ribbons(0, 0, names, gts, preds)
    assert ribbons.record == {"videos": ["v1"], "truth": [[["a", 2], ["b", 1]]], "after_task": [[[["a", 1], ["b", 2]]]]}


@pytest.mark.usefixtures("itas_cache")
def test_save_predictions_none_writes_no_folder(tmp_path):
    cfg = tiny_config(strategies=["finetune"], protocol={"tasks": 2, "seeds": [42]},
                      output={"save_predictions": "none"})
    assert main(["run", str(write_config(tmp_path / "tiny.yaml", cfg)), "--out", str(tmp_path / "out"),
                 "--device", "cpu", "--no-progress", "--jobs", "1"]) == 0
    assert not (tmp_path / "out" / "predictions").exists()


def test_prediction_files_never_leave_their_folder(tmp_path):
    writer = PredictionFiles(lambda predictor: tmp_path / "run", ["a", "b"], "all", 0)
    for name in ["../../escaped", "/tmp/escaped", ".."]:
        with pytest.raises(DataError, match="is not a plain file name"):
            writer(0, 0, [name], [np.array([0, 1])], {"": [np.array([1, 1])]})
    assert not list(tmp_path.rglob("*"))


@pytest.mark.parametrize("label", ["a\nb", "x\x1b[31m"])
def test_a_run_name_is_a_plain_file_name(label):
    assert run_key("mean/k=2", "videos=4", 42) == "mean_k=2__videos=4__seed42"
    with pytest.raises(DataError, match="^strategy label .* is not a plain file name"):
        run_key(label, "none", 42)
