"""summary.{csv,md,tex}: one row per strategy × budget, mean ± std over seeds (pandas)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from results.aggregates import average_incremental, backward_transfer, final_average, forgetting
from tasks.atomic_files import write_atomically, write_text_atomically
from results.matrices import Matrices
from results.metrics import METRIC_TITLES
from results.run_files import budget_order

ACC_AGGREGATES = {"forgetting": forgetting, "bwt": backward_transfer, "avg_incremental": average_incremental}
MEMORY_COLUMNS = ("memory_bytes", "memory_bytes_without_decoders")

FORMULAS = """\
R[i][j] is the score on task j after training task i (i, j = 0..L, L the last trained task).
Scores are 0–100; mean ± std are over seeds (sample std, n − 1; no std with a single seed).

- final average (Acc, Edit, F1@k columns): A = mean_j R[L][j], a macro average over tasks
- average incremental: mean_i A_i with A_i = mean_{j ≤ i} R[i][j]
- forgetting (Chaudhry et al. 2018): mean_{j < L} (max_{l < L} R[l][j] − R[L][j])
- BWT (GEM, Lopez-Paz & Ranzato 2017): mean_{j < L} (R[L][j] − R[j][j])
- memory: bytes stored after the last task, mean over seeds; "w/o decoders" leaves out the
  per-task decoder parameters (the accounting of codes-only budgets). 1 MB = 10^6 bytes.

A run stopped early counts only the tasks it trained (L = its last trained task).
"""


def run_aggregates(matrices: Matrices) -> pd.DataFrame:
    """One row per run (strategy, budget, seed): every metric's final average plus Acc's aggregates."""
    rows = []
    for strategy, budgets in matrices.items():
        for budget, seeds in budgets.items():
            for seed, per_metric in seeds.items():
                row = {"strategy": strategy, "budget": budget, "seed": seed}
                row.update({f"{metric}_final": final_average(r) for metric, r in per_metric.items()})
                for name, aggregate in ACC_AGGREGATES.items():
                    row[f"acc_{name}"] = aggregate(per_metric["acc"]) if "acc" in per_metric else math.nan
                rows.append(row)
    return pd.DataFrame(rows)


def memory_after_last_task(memory: pd.DataFrame) -> pd.DataFrame:
    """Per run: total bytes held after its last task, with and without decoder parameters."""
    last = memory.groupby(["strategy", "budget", "seed"])["after_task"].transform("max")
    held = memory[memory["after_task"] == last]
    return (
        held.assign(without_decoders=held["bytes"].where(held["component"] != "decoders", 0))
        .groupby(["strategy", "budget", "seed"], as_index=False)
        .agg(memory_bytes=("bytes", "sum"), memory_bytes_without_decoders=("without_decoders", "sum"))
    )


def build_summary(matrices: Matrices, memory: pd.DataFrame | None) -> pd.DataFrame:
    """strategy, budget, seeds, <score>_mean / <score>_std for every score, memory columns (Int64)."""
    runs = run_aggregates(matrices)
    scores = [c for c in runs.columns if c not in ("strategy", "budget", "seed")]
    grouped = runs.groupby(["strategy", "budget"], sort=False)
    summary = grouped.size().rename("seeds").reset_index()
    for column in scores:
        stats = grouped[column].agg(["mean", "std"]).reset_index(drop=True)
        summary[f"{column}_mean"], summary[f"{column}_std"] = stats["mean"], stats["std"]
    if memory is not None:
        per_run = runs[["strategy", "budget", "seed"]].merge(memory_after_last_task(memory), how="left")
        means = per_run.groupby(["strategy", "budget"], sort=False)[list(MEMORY_COLUMNS)].mean().reset_index()
        summary = summary.merge(means, on=["strategy", "budget"], how="left")
    else:
        summary = summary.assign(**{column: np.nan for column in MEMORY_COLUMNS})
    for column in MEMORY_COLUMNS:
        summary[column] = summary[column].round().astype("Int64")
    keys = [(strategy, budget_order(budget)) for strategy, budget in zip(summary["strategy"], summary["budget"])]
    return summary.iloc[sorted(range(len(keys)), key=keys.__getitem__)].reset_index(drop=True)


def _score_columns(summary: pd.DataFrame) -> list[tuple[str, str]]:
    """(column stem, display title) of every mean ± std score in the summary, in table order."""
    stems = [c[: -len("_mean")] for c in summary.columns if c.endswith("_mean")]
    titles = {f"{m}_final": t for m, t in METRIC_TITLES.items()}
    titles.update({"acc_forgetting": "Forgetting (Acc)", "acc_bwt": "BWT (Acc)", "acc_avg_incremental": "Avg. inc. (Acc)"})
    return [(stem, titles.get(stem, stem.removesuffix("_final"))) for stem in stems]


def mean_std_text(mean: float, std: float, plus_minus: str) -> str:
    if math.isnan(mean):
        return "–"
    return f"{mean:.1f}" if math.isnan(std) else f"{mean:.1f}{plus_minus}{std:.1f}"


def _megabytes(value) -> str:
    return "–" if pd.isna(value) else f"{value / 1e6:.3f}"


def display_table(summary: pd.DataFrame, plus_minus: str = " ± ") -> pd.DataFrame:
    """The summary as text cells: mean ± std at one decimal, memory in MB."""
    table = pd.DataFrame(
        {"Strategy": summary["strategy"], "Budget": summary["budget"], "Seeds": summary["seeds"].astype(str)}
    )
    for stem, title in _score_columns(summary):
        table[title] = [mean_std_text(m, s, plus_minus) for m, s in zip(summary[f"{stem}_mean"], summary[f"{stem}_std"])]
    table["Memory (MB)"] = summary["memory_bytes"].map(_megabytes)
    table["Memory w/o decoders (MB)"] = summary["memory_bytes_without_decoders"].map(_megabytes)
    return table


def pipe_table(table: pd.DataFrame) -> str:
    """A markdown pipe table of already formatted (string) cells."""
    # pandas' to_markdown needs tabulate, which is not a dependency; a pipe table is three lines.
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def summary_markdown(summary: pd.DataFrame) -> str:
    return pipe_table(display_table(summary)) + "\n\n" + FORMULAS


def summary_latex(summary: pd.DataFrame) -> str:
    table = display_table(summary, plus_minus=r" $\pm$ ").replace("–", "--")
    styler = table.style.hide(axis="index").format(escape="latex", subset=["Strategy", "Budget"])
    styler = styler.format_index(escape="latex", axis=1)
    return styler.to_latex(hrules=True, column_format="ll" + "r" * (len(table.columns) - 2))


def write_summary(summary: pd.DataFrame, out_dir: Path) -> list[Path]:
    """summary.csv (numeric, 4 decimals), summary.md (with the formulas) and summary.tex."""
    out_dir = Path(out_dir)
    csv = write_atomically(
        out_dir / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False, float_format="%.4f", lineterminator="\n")
    )
    markdown = write_text_atomically(out_dir / "summary.md", summary_markdown(summary))
    latex = write_text_atomically(out_dir / "summary.tex", summary_latex(summary))
    return [csv, markdown, latex]
