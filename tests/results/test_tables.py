import pandas as pd
import pytest

from results.matrices import matrices_from_metrics
from results.run_files import read_memory_csv, read_metrics_csv
from results.tables import build_summary, memory_after_last_task, summary_latex, summary_markdown, write_summary


def summary_of(run_dir, with_memory=True):
    memory = read_memory_csv(run_dir / "memory.csv") if with_memory else None
    return build_summary(matrices_from_metrics(read_metrics_csv(run_dir / "metrics.csv")), memory)


def test_hand_computed_summary(run_dir):
    summary = summary_of(run_dir).set_index("strategy")
    finetune, condensed = summary.loc["finetune"], summary.loc["condensed"]
    # finetune final Acc: (5+10+85)/3 = 33.33 and (15+10+95)/3 = 40 -> 36.67 ± 6.67/sqrt(2)
    assert finetune["acc_final_mean"] == pytest.approx(110 / 3)
    assert finetune["acc_final_std"] == pytest.approx((20 / 3) / 2**0.5)
    assert finetune["edit_final_mean"] == pytest.approx(110 / 3 - 5)
    # forgetting (90-5 + 80-10)/2 = 77.5 and (80-15 + 70-10)/2 = 62.5; BWT the negatives
    assert finetune["acc_forgetting_mean"] == pytest.approx(70.0)
    assert finetune["acc_bwt_mean"] == pytest.approx(-70.0)
    # condensed: finals 65 and 68.33; forgetting (40+20)/2 = 30 and (20+20)/2 = 20
    assert condensed["acc_final_mean"] == pytest.approx(200 / 3)
    assert condensed["acc_forgetting_mean"] == pytest.approx(25.0)
    # average incremental (90 + 70 + 65)/3 = 75 and (80 + 70 + 68.33)/3 = 72.78
    assert condensed["acc_avg_incremental_mean"] == pytest.approx((75 + 655 / 9) / 2)
    assert condensed["seeds"] == 2


def test_memory_after_the_last_task(run_dir):
    per_run = memory_after_last_task(read_memory_csv(run_dir / "memory.csv"))
    # 3 stored tasks x (codes + 200 transcripts + 50,000 decoder bytes), codes 1000 / 1400 by seed
    assert per_run["memory_bytes"].tolist() == [153600, 154800]
    assert per_run["memory_bytes_without_decoders"].tolist() == [3600, 4800]
    summary = summary_of(run_dir).set_index("strategy")
    assert summary.loc["condensed", "memory_bytes"] == 154200
    assert summary.loc["condensed", "memory_bytes_without_decoders"] == 4200
    assert pd.isna(summary.loc["finetune", "memory_bytes"])  # a strategy that stores nothing


def test_rows_sorted_by_strategy_then_numeric_budget(tmp_path, make_run):
    summary = summary_of(make_run(tmp_path / "sweep", budgets=("120", "60")))
    assert list(zip(summary["strategy"], summary["budget"])) == [("condensed", "60"), ("condensed", "120"), ("finetune", "0")]


def test_without_memory_csv_the_memory_columns_are_empty(tmp_path, make_run):
    summary = summary_of(make_run(tmp_path / "run", with_memory=False), with_memory=False)
    assert summary["memory_bytes"].isna().all()
    write_summary(summary, tmp_path / "out")
    assert (tmp_path / "out" / "summary.csv").read_text().splitlines()[1].endswith(",,")


def test_written_files(run_dir, tmp_path):
    paths = write_summary(summary_of(run_dir), tmp_path)
    assert [p.name for p in paths] == ["summary.csv", "summary.md", "summary.tex"]
    csv_lines = paths[0].read_text().splitlines()
    assert csv_lines[0].startswith("strategy,budget,seeds,acc_final_mean,acc_final_std,edit_final_mean")
    assert csv_lines[1].startswith("condensed,60,2,66.6667,2.3570,61.6667,2.3570")
    assert csv_lines[1].endswith(",154200,4200")
    markdown = paths[1].read_text()
    assert "| condensed | 60 | 2 | 66.7 ± 2.4 | 61.7 ± 2.4 |" in markdown
    assert "forgetting (Chaudhry et al. 2018): mean_{j < L} (max_{l < L} R[l][j] − R[L][j])" in markdown
    assert "| finetune | 0 | 2 | 36.7 ± 4.7 |" in markdown and "| – | – |" in markdown
    latex = paths[2].read_text()
    assert r"condensed & 60 & 2 & 66.7 $\pm$ 2.4" in latex and r"acc\_nme" in latex


def test_single_seed_shows_no_std(tmp_path):
    frame = pd.DataFrame(
        [("ft", "0", 1, 0, 0, "acc", 50.0)],
        columns=["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"],
    )
    summary = build_summary(matrices_from_metrics(frame), None)
    assert "| ft | 0 | 1 | 50.0 | – | – | 50.0 |" in summary_markdown(summary)
    assert "50.0 &" in summary_latex(summary)
