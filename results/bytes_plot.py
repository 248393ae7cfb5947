"""Accuracy against bytes kept between tasks: every strategy on one axis, replay memories and
regularisers alike (accuracy_bytes.png and accuracy_bytes.md, for run folders with several budgets).

x: bytes held after the last task (memory.csv, every component: stored videos, codes, decoders,
logits, importance and anchor arrays), mean over seeds, log scale; y: final average Acc, mean ± std
over seeds; one marker per strategy × budget. Strategies that keep nothing between tasks (finetune)
or whose state is not counted (joint's data, LwF's frozen copy) have no x: they are drawn as
horizontal lines and listed with "–" bytes.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from results.plots import MARKERS, save_figure
from results.tables import mean_std_text, pipe_table
from tasks.atomic_files import write_text_atomically

def accuracy_bytes_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Strategy, budget, seeds, bytes (mean over seeds, MB) and final Acc mean ± std, by bytes."""
    rows = summary.assign(order=summary["memory_bytes"].astype("float").fillna(-1.0)).sort_values(
        ["order", "strategy"], kind="stable")
    return pd.DataFrame({
        "Strategy": rows["strategy"],
        "Budget": rows["budget"],
        "Seeds": rows["seeds"].astype(str),
        "Bytes kept (MB)": [("–" if pd.isna(b) or b == 0 else f"{b / 1e6:.3f}") for b in rows["memory_bytes"]],
        "Acc (final)": [mean_std_text(m, s, " ± ") for m, s in zip(rows["acc_final_mean"], rows["acc_final_std"])],
    })


def plot_accuracy_bytes(summary: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(7.6, 4.6), layout="constrained")
    ax = fig.add_subplot()
    palette = matplotlib.colormaps["tab20"].colors
    for index, (strategy, rows) in enumerate(summary.groupby("strategy", sort=True)):
        color = palette[index % len(palette)]
        kept = rows["memory_bytes"].astype("float")
        points = rows[kept.notna() & (kept > 0)]
        if points.empty:
            mean = rows["acc_final_mean"].mean()
            ax.axhline(mean, color=color, linestyle="--", linewidth=1, label=f"{strategy} (no bytes counted)")
            continue
        ax.errorbar(points["memory_bytes"].to_numpy(dtype=float), points["acc_final_mean"].to_numpy(dtype=float),
                    yerr=points["acc_final_std"].fillna(0.0).to_numpy(dtype=float), color=color,
                    marker=MARKERS[index % len(MARKERS)], linestyle="none", capsize=3, label=strategy)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels collide when the points span < 1 decade
    ax.set_xlabel("bytes kept between tasks (after the last task, log scale)")
    ax.set_ylabel("final average Acc (%)")
    ax.set_title("Accuracy against bytes (mean ± std over seeds)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def write_accuracy_bytes(summary: pd.DataFrame, out_dir: Path) -> list[Path]:
    """accuracy_bytes.png and .md when the runs span several budgets and Acc was measured."""
    several = summary.groupby("strategy")["budget"].nunique().max() > 1  # as budget_<metric>.png
    if "acc_final_mean" not in summary or not several or np.all(summary["memory_bytes"].isna()):
        return []
    out_dir = Path(out_dir)
    table = pipe_table(accuracy_bytes_table(summary)) + "\n"
    return [save_figure(plot_accuracy_bytes(summary), out_dir / "accuracy_bytes.png"),
            write_text_atomically(out_dir / "accuracy_bytes.md", table)]
