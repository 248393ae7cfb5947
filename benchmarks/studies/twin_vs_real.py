"""Side by side: the same memories run on two datasets (e.g. real features and their twin, `itas synth
--like`), with the rank agreement of the memories between them.

    python -m benchmarks.studies.twin_vs_real REAL_RUN TWIN_RUN [--names real twin] [--metric acc] [--out DIR]

Each RUN is an `itas run` output folder (metrics.csv, memory.csv; several folders per side are merged
as `itas report` merges them). Per memory (strategy, and budget when a strategy has several): the final
average over tasks, mean ± std over seeds, on each side, their difference, and the mean R matrix over
seeds (rows: after task i; columns: task j, by position in each seed's task order). The rank agreement
is Spearman's ρ across the memories both sides ran: of the seed means, and per seed the two sides
share (mean ± std over those seeds). Writes twin_vs_real.{md,csv} into --out when given.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from results.matrices import Matrices, matrices_from_metrics
from results.plots import line_label
from results.report import load_runs
from results.tables import mean_std_text, pipe_table, run_aggregates
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError


def memory_names(matrices: Matrices) -> dict[tuple[str, str], str]:
    """(strategy, budget) → the memory's name: the strategy, with the budget when it has several."""
    return {(strategy, budget): line_label(strategy, budget, len(budgets))
            for strategy, budgets in matrices.items() for budget in budgets}


def per_seed_scores(matrices: Matrices, metric: str) -> pd.DataFrame:
    """One row per run: memory, seed and its final average of `metric` (column `score`)."""
    names = memory_names(matrices)
    runs = run_aggregates(matrices)
    column = f"{metric}_final"
    if column not in runs.columns:
        raise DataError(f"metric {metric!r} is not in the runs (they have "
                        f"{', '.join(c.removesuffix('_final') for c in runs.columns if c.endswith('_final'))})")
    return pd.DataFrame({"memory": [names[(s, b)] for s, b in zip(runs["strategy"], runs["budget"])],
                         "seed": runs["seed"].astype(int), "score": runs[column]})


def mean_matrices(matrices: Matrices, metric: str) -> dict[str, np.ndarray]:
    """memory → its R matrix of `metric` averaged over seeds (NaN where a seed lacks a cell)."""
    names = memory_names(matrices)
    result = {}
    for strategy, budgets in matrices.items():
        for budget, seeds in budgets.items():
            stacked = [np.asarray(runs[metric], dtype=float) for runs in seeds.values() if metric in runs]
            if stacked and all(r.shape == stacked[0].shape for r in stacked):
                result[names[(strategy, budget)]] = np.nanmean(np.stack(stacked), axis=0)
    return result


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's ρ of two score series over their common index (average ranks for ties)."""
    common = a.index.intersection(b.index)
    if len(common) < 3:
        return float("nan")
    return float(a[common].rank().corr(b[common].rank()))


def rank_agreement(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    """Spearman ρ across memories: of the seed means, and per shared seed (per_seed: {seed: ρ})."""
    memories = sorted(set(a["memory"]) & set(b["memory"]))
    means = [t[t["memory"].isin(memories)].groupby("memory")["score"].mean() for t in (a, b)]
    per_seed = {}
    for seed in sorted(set(a["seed"]) & set(b["seed"])):
        sides = [t[(t["seed"] == seed) & t["memory"].isin(memories)].set_index("memory")["score"] for t in (a, b)]
        per_seed[int(seed)] = spearman(*sides)
    return {"memories": len(memories), "rho_of_means": spearman(*means), "per_seed": per_seed}


def _rho_text(rho: float) -> str:
    return "n/a (< 3 memories)" if np.isnan(rho) else f"{rho:.2f}"


def _matrix_text(r: np.ndarray | None) -> str:
    if r is None:
        return ""
    return " / ".join(" ".join("·" if np.isnan(v) else f"{v:.1f}" for v in row) for row in r)


def side_by_side(a: pd.DataFrame, b: pd.DataFrame, r_a: dict[str, np.ndarray], r_b: dict[str, np.ndarray],
                 names: tuple[str, str]) -> pd.DataFrame:
    """One row per memory of either side, best first on side a: mean, std, seeds, difference, mean R."""
    stats = [t.groupby("memory")["score"].agg(["mean", "std", "count"]) for t in (a, b)]
    table = stats[0].add_suffix(f"_{names[0]}").join(stats[1].add_suffix(f"_{names[1]}"), how="outer")
    table["difference"] = table[f"mean_{names[1]}"] - table[f"mean_{names[0]}"]
    for name, matrices in zip(names, (r_a, r_b)):
        table[f"R_{name}"] = [_matrix_text(matrices.get(memory)) for memory in table.index]
    return table.sort_values(f"mean_{names[0]}", ascending=False, na_position="last").rename_axis("memory")


def markdown(table: pd.DataFrame, agreement: dict, names: tuple[str, str], metric: str) -> str:
    def cell(row, name: str) -> str:
        mean = row[f"mean_{name}"]
        if np.isnan(mean):
            return "not run"
        return f"{mean_std_text(mean, row[f'std_{name}'], ' ± ')} ({int(row[f'count_{name}'])})"

    shown = pd.DataFrame({
        "memory": table.index,
        f"{names[0]} final {metric} (seeds)": [cell(row, names[0]) for _, row in table.iterrows()],
        f"{names[1]} final {metric} (seeds)": [cell(row, names[1]) for _, row in table.iterrows()],
        f"{names[1]} − {names[0]}": ["" if np.isnan(d) else f"{d:+.1f}" for d in table["difference"]],
        f"R {names[0]} (mean over seeds)": table[f"R_{names[0]}"],
        f"R {names[1]} (mean over seeds)": table[f"R_{names[1]}"],
    })
    seeds = agreement["per_seed"]
    rhos = np.array([rho for rho in seeds.values() if not np.isnan(rho)])
    per_seed = ", ".join(f"{seed}: {_rho_text(rho)}" for seed, rho in seeds.items())
    spread = f"{rhos.mean():.2f} ± {rhos.std(ddof=1):.2f}" if len(rhos) > 1 else "n/a"
    return (pipe_table(shown) + "\n\nR rows are separated by ' / ' (row i: after task i; columns: tasks by position).\n"
            f"Spearman ρ across the {agreement['memories']} memories both ran: {_rho_text(agreement['rho_of_means'])} "
            f"of the seed means; per seed {per_seed} (mean ± std {spread}).\n")


def compare(real: list[Path], twin: list[Path], names: tuple[str, str] = ("real", "twin"),
            metric: str = "acc") -> tuple[pd.DataFrame, dict, str]:
    """(side-by-side table, rank agreement, its markdown) of two sets of run folders."""
    if names[0] == names[1]:
        raise DataError(f"--names: expected two different names, got {names[0]!r} twice")
    matrices = [matrices_from_metrics(load_runs(dirs)[0]) for dirs in (real, twin)]
    scores = [per_seed_scores(m, metric) for m in matrices]
    if not set(scores[0]["memory"]) & set(scores[1]["memory"]):
        raise DataError(f"{real[0]} and {twin[0]}: no memory in common (they ran "
                        f"{', '.join(sorted(set(scores[0]['memory'])))} and {', '.join(sorted(set(scores[1]['memory'])))})")
    table = side_by_side(*scores, *(mean_matrices(m, metric) for m in matrices), names)
    agreement = rank_agreement(*scores)
    return table, agreement, markdown(table, agreement, names, metric)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.studies.twin_vs_real",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("real", type=Path, help="run folder on the first dataset (comma-separate several)")
    parser.add_argument("twin", type=Path, help="run folder on the second dataset (comma-separate several)")
    parser.add_argument("--names", nargs=2, default=["real", "twin"], help="the two sides' names (default real twin)")
    parser.add_argument("--metric", default="acc", help="acc | edit | f1@10 | f1@25 | f1@50 (default acc)")
    parser.add_argument("--out", type=Path, default=None, help="write twin_vs_real.{md,csv} here")
    args = parser.parse_args(argv)
    try:
        sides = [[Path(p) for p in str(side).split(",")] for side in (args.real, args.twin)]
        table, _, text = compare(*sides, tuple(args.names), args.metric)
    except DataError as err:
        print(f"twin_vs_real: error: {err}", file=sys.stderr)
        return 2
    if args.out is not None:
        write_text_atomically(args.out / "twin_vs_real.csv", table.to_csv(float_format="%.4f"))
        write_text_atomically(args.out / "twin_vs_real.md", text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
