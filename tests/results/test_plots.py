import numpy as np
import pytest

from results.matrices import matrices_from_metrics
from results.plots import (
    budget_series,
    curve_series,
    file_stem,
    heatmap_matrices,
    plot_budget,
    plot_curve,
    plot_heatmap,
    write_plots,
)
from results.run_files import read_memory_csv, read_metrics_csv
from results.tables import build_summary


def load(run_dir):
    matrices = matrices_from_metrics(read_metrics_csv(run_dir / "metrics.csv"))
    return matrices, build_summary(matrices, read_memory_csv(run_dir / "memory.csv"))


def test_curve_series_average_seen_tasks_over_seeds(run_dir):
    matrices, _ = load(run_dir)
    series = curve_series(matrices, "acc")
    assert list(series) == ["condensed", "finetune"]
    steps, mean, std = series["finetune"]
    assert steps.tolist() == [1, 2, 3]
    # seed 1: 90, 45, 33.33; seed 2: 80, 45, 40
    assert mean == pytest.approx([85.0, 45.0, 110 / 3])
    assert std == pytest.approx([10 / 2**0.5, 0.0, (20 / 3) / 2**0.5])


def test_curve_has_one_line_and_band_per_strategy(run_dir):
    fig = plot_curve(load(run_dir)[0], "edit")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["condensed", "finetune"]
    assert len(ax.collections) == 2  # std bands
    assert ax.get_xlabel() == "tasks trained" and ax.get_ylabel() == "average Edit (%)"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [80.0, 65.0, 200 / 3 - 5])


def test_several_budgets_get_one_line_each(tmp_path, make_run):
    matrices, _ = load(make_run(tmp_path / "sweep", budgets=("60", "120")))
    assert list(curve_series(matrices, "acc")) == ["condensed (60)", "condensed (120)", "finetune"]


def test_heatmap_averages_seeds(run_dir):
    matrices, _ = load(run_dir)
    r = heatmap_matrices(matrices, "condensed")["60"]
    assert r.tolist() == [[85, 0, 0], [65, 75, 0], [55, 55, 90]]
    fig = plot_heatmap(matrices, "condensed")
    assert len(fig.axes[0].texts) == 9 and fig.axes[0].texts[6].get_text() == "55"


def test_budget_series_uses_memory_bytes(tmp_path, make_run):
    _, summary = load(make_run(tmp_path / "sweep", budgets=("60", "120")))
    series = budget_series(summary, "acc")
    assert list(series) == ["condensed"]  # finetune stores nothing: no point on a log axis
    nbytes, mean, _ = series["condensed"]
    # 120 doubles the codes: 3 x (2000|2800 + 50,200) -> 157,800 on average
    assert nbytes.tolist() == [154200, 157800]
    assert mean == pytest.approx([200 / 3, 200 / 3 + 5])
    assert plot_budget(summary, "acc").axes[0].get_xscale() == "log"


def test_write_plots_names_and_budget_curves_only_for_sweeps(run_dir, tmp_path, make_run):
    matrices, summary = load(run_dir)
    names = [p.name for p in write_plots(matrices, summary, ["acc", "f1@10"], tmp_path / "one")]
    assert names == ["curve_acc.png", "curve_f1@10.png", "heatmap_condensed.png", "heatmap_finetune.png"]
    matrices, summary = load(make_run(tmp_path / "sweep", budgets=("60", "120")))
    names = [p.name for p in write_plots(matrices, summary, ["acc"], tmp_path / "two")]
    assert names == ["curve_acc.png", "heatmap_condensed.png", "heatmap_finetune.png", "budget_acc.png"]


def test_file_stem():
    assert file_stem("f1@10") == "f1@10"
    assert file_stem("tca/v2 big") == "tca_v2_big"
