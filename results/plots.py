"""PNG figures of a run: forgetting curves, R heatmaps and budget curves (matplotlib, Agg).

Figures are built with matplotlib.figure.Figure directly, not pyplot, so no global backend or
figure registry is touched; Figure.savefig renders PNG through Agg.
"""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from results.aggregates import seen_task_averages
from tasks.atomic_files import write_atomically
from results.matrices import Matrices
from results.metrics import METRIC_TITLES

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")

Series = tuple[np.ndarray, np.ndarray, np.ndarray]  # x, mean, std


def file_stem(name: str) -> str:
    """A strategy or metric name made safe for a file name ("f1@10" stays as it is)."""
    return re.sub(r"[^\w@.+-]", "_", name)


def _score_label(metric: str) -> str:
    return f"{METRIC_TITLES[metric]} (%)" if metric in METRIC_TITLES else metric


def line_label(strategy: str, budget: str, budgets_of_strategy: int) -> str:
    """How a run group is named in legends and tables: the strategy, with the budget when it has several."""
    return strategy if budgets_of_strategy == 1 else f"{strategy} ({budget})"


def _stack_padded(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of different lengths (runs stopped at different tasks) as one NaN-padded array."""
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def _mean_std(stacked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = (~np.isnan(stacked)).sum(axis=0)
    mean = np.nansum(stacked, axis=0) / counts
    centred = np.where(np.isnan(stacked), 0.0, stacked - mean)
    std = np.sqrt((centred**2).sum(axis=0) / np.maximum(counts - 1, 1))
    return mean, np.where(counts > 1, std, 0.0)


def curve_series(matrices: Matrices, metric: str) -> dict[str, Series]:
    """Per strategy (+ budget): tasks trained 1..L+1, mean and std over seeds of A_i (seen-task average)."""
    series = {}
    for strategy, budgets in matrices.items():
        for budget, seeds in budgets.items():
            rows = [seen_task_averages(runs[metric]) for runs in seeds.values() if metric in runs]
            if rows:
                mean, std = _mean_std(_stack_padded(rows))
                series[line_label(strategy, budget, len(budgets))] = (np.arange(1, len(mean) + 1), mean, std)
    return series


def plot_curve(matrices: Matrices, metric: str) -> Figure:
    fig = Figure(figsize=(8.0, 4.4), layout="constrained")
    ax = fig.add_subplot()
    series = curve_series(matrices, metric)
    # tab20 keeps up to 20 lines apart (the default cycle repeats after 10); markers add a second cue
    colours = matplotlib.colormaps["tab20"].colors
    for k, (label, (steps, mean, std)) in enumerate(series.items()):
        colour, marker = colours[(2 * k) % 20 + (2 * k) // 20 % 2], MARKERS[k % len(MARKERS)]
        ax.plot(steps, mean, marker=marker, color=colour, label=label)
        ax.fill_between(steps, mean - std, mean + std, color=colour, alpha=0.2, linewidth=0)
    ax.set_title(f"{_score_label(metric).removesuffix(' (%)')} averaged over the tasks seen so far")
    ax.set_xlabel("tasks trained")
    ax.set_ylabel(f"average {_score_label(metric)}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(title="mean ± std over seeds", fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def heatmap_matrices(matrices: Matrices, strategy: str, metric: str = "acc") -> dict[str, np.ndarray]:
    """Per budget of `strategy`: R of `metric` averaged over seeds (NaN where no seed has a score)."""
    out = {}
    for budget, seeds in matrices[strategy].items():
        runs = [np.asarray(per_metric[metric]) for per_metric in seeds.values() if metric in per_metric]
        if not runs:
            continue
        shape = tuple(max(r.shape[k] for r in runs) for k in (0, 1))
        stacked = np.full((len(runs), *shape), np.nan)
        for i, r in enumerate(runs):
            stacked[i, : r.shape[0], : r.shape[1]] = r
        counts = (~np.isnan(stacked)).sum(axis=0)
        out[budget] = np.where(counts > 0, np.nansum(stacked, axis=0) / np.maximum(counts, 1), np.nan)
    return out


def plot_heatmap(matrices: Matrices, strategy: str, metric: str = "acc") -> Figure:
    per_budget = heatmap_matrices(matrices, strategy, metric)
    fig = Figure(figsize=(4.8 * len(per_budget) + 0.8, 4.4), layout="constrained")
    axes = fig.subplots(1, len(per_budget), squeeze=False)[0]
    for ax, (budget, r) in zip(axes, per_budget.items()):
        image = ax.imshow(r, vmin=0, vmax=100, cmap="viridis")
        rows, cols = np.nonzero(~np.isnan(r))
        for i, j in zip(rows, cols):
            colour = "white" if r[i, j] < 60 else "black"  # readable on viridis' dark and light ends
            ax.text(j, i, f"{r[i, j]:.0f}", ha="center", va="center", fontsize=8, color=colour)
        ax.set_title(f"{strategy}, budget {budget}" if budget else strategy)
        ax.set_xlabel("evaluated task j (eval_task)")
        ax.set_ylabel("after training task i (train_task)")
        ax.set_xticks(range(r.shape[1]))
        ax.set_yticks(range(r.shape[0]))
    fig.colorbar(image, ax=list(axes), label=f"{_score_label(metric)}, mean over seeds")
    fig.suptitle(f"R[i][j]: {_score_label(metric).removesuffix(' (%)')} on task j after training task i")
    return fig


def budget_series(summary: pd.DataFrame, metric: str) -> dict[str, Series]:
    """Per strategy: memory bytes after the last task (x), final average mean and std (y)."""
    series = {}
    column = f"{metric}_final"
    for strategy, rows in summary.groupby("strategy", sort=True):
        rows = rows[rows["memory_bytes"].notna() & (rows["memory_bytes"] > 0) & rows[f"{column}_mean"].notna()]
        if rows.empty:
            continue
        rows = rows.sort_values("memory_bytes")
        series[strategy] = (
            rows["memory_bytes"].to_numpy(dtype=float),
            rows[f"{column}_mean"].to_numpy(dtype=float),
            rows[f"{column}_std"].fillna(0.0).to_numpy(dtype=float),
        )
    return series


def plot_budget(summary: pd.DataFrame, metric: str) -> Figure:
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for strategy, (nbytes, mean, std) in budget_series(summary, metric).items():
        ax.errorbar(nbytes, mean, yerr=std, marker="o", capsize=3, label=strategy)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels collide when budgets span < 1 decade
    ax.set_title(f"final average {_score_label(metric).removesuffix(' (%)')} vs memory")
    ax.set_xlabel("memory after the last task (bytes, decoders included, log scale)")
    ax.set_ylabel(f"final average {_score_label(metric)}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="mean ± std over seeds", fontsize="small")
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    return write_atomically(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=120))


def write_plots(matrices: Matrices, summary: pd.DataFrame, metrics: list[str], out_dir: Path) -> list[Path]:
    """curve_<metric>.png, heatmap_<strategy>.png (Acc), and budget_<metric>.png when some
    strategy was run at several budgets and memory sizes are known."""
    out_dir = Path(out_dir)
    paths = [save_figure(plot_curve(matrices, m), out_dir / f"curve_{file_stem(m)}.png") for m in metrics]
    heat_metric = "acc" if "acc" in metrics else metrics[0]
    paths += [
        save_figure(plot_heatmap(matrices, s, heat_metric), out_dir / f"heatmap_{file_stem(s)}.png")
        for s in matrices
        if heatmap_matrices(matrices, s, heat_metric)
    ]
    if summary.groupby("strategy")["budget"].nunique().max() > 1:
        paths += [
            save_figure(plot_budget(summary, m), out_dir / f"budget_{file_stem(m)}.png")
            for m in metrics
            if budget_series(summary, m)
        ]
    return paths
