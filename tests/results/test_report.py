import json

import matplotlib.image
import pytest

from results.report import write_report
from tasks.errors import DataError


def test_report_of_one_run_folder(run_dir):
    paths = write_report([run_dir], run_dir)
    names = [p.name for p in paths]
    assert names[:4] == ["summary.csv", "summary.md", "summary.tex", "matrices.json"]
    assert "curve_acc_nme.png" in names and "heatmap_finetune.png" in names
    assert not any(name.startswith("budget_") for name in names)
    for path in paths:
        if path.suffix == ".png":
            assert matplotlib.image.imread(path).ndim == 3
    matrices = json.loads((run_dir / "matrices.json").read_text())
    assert matrices["finetune"]["0"]["2"]["acc"][2] == [15.0, 10.0, 95.0]


def test_merging_run_folders(tmp_path, make_run):
    a = make_run(tmp_path / "a")
    b = tmp_path / "b"
    b.mkdir()
    metrics = (a / "metrics.csv").read_text().splitlines()
    # the same runs under another strategy name, and a header-only memory.csv in b
    renamed = [line.replace("finetune", "lwf").replace("condensed", "tca") for line in metrics[1:]]
    (b / "metrics.csv").write_text("\n".join([metrics[0], *renamed]) + "\n")
    (b / "memory.csv").write_text((a / "memory.csv").read_text().splitlines()[0] + "\n")
    write_report([a, b], tmp_path / "out")
    lines = (tmp_path / "out" / "summary.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["condensed", "finetune", "lwf", "tca"]
    assert lines[1].endswith(",154200,4200") and lines[4].endswith(",,")


def test_same_run_in_two_folders_is_refused(tmp_path, make_run):
    a, b = make_run(tmp_path / "a"), make_run(tmp_path / "b")
    with pytest.raises(DataError, match=r"b/metrics.csv: run strategy=finetune, budget=0, seed=1 is also in .*a/metrics.csv"):
        write_report([a, b], tmp_path / "out")


def test_bad_input_writes_nothing(tmp_path, run_dir):
    (run_dir / "memory.csv").write_text("strategy,budget\n")
    with pytest.raises(DataError, match="memory.csv: missing columns"):
        write_report([run_dir], tmp_path / "out")
    assert not (tmp_path / "out").exists()
