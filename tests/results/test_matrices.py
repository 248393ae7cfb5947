import json
import math

import pandas as pd

from results.matrices import matrices_from_metrics, metric_names, write_matrices_json
from results.run_files import read_metrics_csv


def test_nested_matrices_of_the_synthetic_run(run_dir):
    matrices = matrices_from_metrics(read_metrics_csv(run_dir / "metrics.csv"))
    assert list(matrices) == ["condensed", "finetune"]
    assert list(matrices["condensed"]) == ["60"] and list(matrices["condensed"]["60"]) == [1, 2]
    runs = matrices["condensed"]["60"][1]
    assert list(runs) == ["acc", "edit", "f1@10", "f1@25", "f1@50", "acc_nme"]
    assert runs["acc"] == [[90, 0, 0], [60, 80, 0], [50, 60, 85]]
    assert runs["edit"][2] == [45, 55, 80]


def test_standard_metrics_first_then_extra_names_sorted():
    frame = pd.DataFrame({"metric": ["zeta", "edit", "acc", "acc_nme"]})
    assert metric_names(frame) == ["acc", "edit", "acc_nme", "zeta"]


def test_run_stopped_early_is_non_square_with_nan_gaps():
    rows = [("ft", "0", 3, 0, 0, "acc", 70.0), ("ft", "0", 3, 0, 1, "acc", 1.0), ("ft", "0", 3, 0, 3, "acc", 2.0),
            ("ft", "0", 3, 1, 0, "acc", 30.0), ("ft", "0", 3, 1, 1, "acc", 60.0)]
    frame = pd.DataFrame(rows, columns=["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"])
    r = matrices_from_metrics(frame)["ft"]["0"][3]["acc"]
    assert len(r) == 2 and len(r[0]) == 4
    assert r[0][:2] == [70.0, 1.0] and math.isnan(r[0][2]) and r[0][3] == 2.0
    assert r[1][:2] == [30.0, 60.0] and all(math.isnan(v) for v in r[1][2:])


def test_json_uses_string_seeds_and_null_for_gaps(tmp_path):
    frame = pd.DataFrame(
        [("ft", "60", 1, 0, 0, "acc", 50.0), ("ft", "60", 1, 1, 1, "acc", 40.0)],
        columns=["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"],
    )
    path = write_matrices_json(matrices_from_metrics(frame), tmp_path / "matrices.json")
    assert json.loads(path.read_text()) == {"ft": {"60": {"1": {"acc": [[50.0, None], [None, 40.0]]}}}}
    assert [p.name for p in tmp_path.iterdir()] == ["matrices.json"]  # no temporary file left
