"""`itas report` end to end through the CLI entry point on a small synthetic run folder."""
import csv

import matplotlib.image
import pytest

from benchmarks.cli import main

ACC = {"finetune": [[90, 0], [10, 80]], "original": [[90, 0], [60, 85]]}


@pytest.fixture
def run_dir(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    with open(folder / "metrics.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"])
        for strategy, r in ACC.items():
            for seed, shift in ((1, 0.0), (2, 2.0)):
                for i, row in enumerate(r):
                    for j, value in enumerate(row):
                        out.writerow([strategy, "60", seed, i, j, "acc", value + shift])
    # header only: no run of the folder held a memory
    (folder / "memory.csv").write_text("strategy,budget,seed,after_task,task,component,bytes,videos,frames\n")
    return folder


def test_report_writes_summary_matrices_and_plots(run_dir, capsys):
    assert main(["report", str(run_dir)]) == 0
    printed = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[1] for p in printed] == [
        "summary.csv", "summary.md", "summary.tex", "matrices.json",
        "curve_acc.png", "heatmap_finetune.png", "heatmap_original.png",
    ]
    lines = (run_dir / "summary.csv").read_text().splitlines()
    # finetune: (10+80)/2 = 45 and (12+82)/2 = 47 -> 46 ± 1.4142; forgetting 80 both seeds
    assert lines[1].startswith("finetune,60,2,46.0000,1.4142,80.0000,0.0000,-80.0000,0.0000")
    for name in ("curve_acc.png", "heatmap_original.png"):
        assert matplotlib.image.imread(run_dir / name).shape[2] == 4


def test_rebuilding_gives_byte_identical_summaries(run_dir, tmp_path):
    assert main(["report", str(run_dir), "--out", str(tmp_path / "first")]) == 0
    assert main(["report", str(run_dir), "--out", str(tmp_path / "second")]) == 0
    for name in ("summary.csv", "summary.md", "summary.tex", "matrices.json"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    return err[0]


def test_missing_metrics_csv_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "empty_run").mkdir()
    assert main(["report", str(tmp_path / "empty_run")]) == 2
    assert one_error_line(capsys).endswith("empty_run/metrics.csv: file not found")


def test_malformed_metrics_csv_exits_2_with_one_line(run_dir, capsys):
    (run_dir / "metrics.csv").write_text("strategy,budget,seed,train_task,eval_task,metric,value\nft,60,1,0,0,acc,n/a\n")
    assert main(["report", str(run_dir)]) == 2
    assert "metrics.csv:2: column value must be a number, got 'n/a'" in one_error_line(capsys)
    assert sorted(p.name for p in run_dir.iterdir()) == ["memory.csv", "metrics.csv"]


def test_several_run_folders_need_out(run_dir, tmp_path, capsys):
    assert main(["report", str(run_dir), str(run_dir)]) == 2
    assert "--out is required" in one_error_line(capsys)
