"""R matrices from metrics.csv: R[i][j] = score on task j after training task i, per run and metric."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.atomic_files import write_text_atomically
from results.metrics import METRICS
from results.run_files import budget_order

Matrices = dict[str, dict[str, dict[int, dict[str, list[list[float]]]]]]


def metric_names(metrics: pd.DataFrame) -> list[str]:
    """The standard metrics present, in METRICS order, then any extra metric names sorted."""
    present = set(metrics["metric"])
    return [m for m in METRICS if m in present] + sorted(present - set(METRICS))


def matrices_from_metrics(metrics: pd.DataFrame) -> Matrices:
    """{strategy: {budget: {seed: {metric: R}}}}, sorted keys, R as lists of lists with NaN gaps.

    A run's R has one row per trained task (max train_task + 1) and one column per task it
    evaluated (at least as many as rows), the same shape for every metric of the run.
    """
    names = metric_names(metrics)
    result: Matrices = {}
    runs = metrics.groupby(["strategy", "budget", "seed"])
    for (strategy, budget, seed), run in sorted(runs, key=lambda item: (item[0][0], budget_order(item[0][1]), item[0][2])):
        rows = int(run["train_task"].max()) + 1
        shape = (rows, max(rows, int(run["eval_task"].max()) + 1))
        per_metric = {}
        for metric in names:
            scores = run[run["metric"] == metric]
            if scores.empty:
                continue
            r = np.full(shape, np.nan)
            r[scores["train_task"].to_numpy(), scores["eval_task"].to_numpy()] = scores["value"].to_numpy()
            per_metric[metric] = r.tolist()
        result.setdefault(strategy, {}).setdefault(budget, {})[int(seed)] = per_metric
    return result


def _nan_to_none(matrix: list[list[float]]) -> list[list[float | None]]:
    return [[None if math.isnan(v) else v for v in row] for row in matrix]


def write_matrices_json(matrices: Matrices, path: Path) -> Path:
    """matrices.json: the nested matrices (`matrices_from_metrics`) with seeds as string keys and
    null for missing scores."""
    payload = {
        strategy: {
            budget: {str(seed): {m: _nan_to_none(r) for m, r in runs.items()} for seed, runs in seeds.items()}
            for budget, seeds in budgets.items()
        }
        for strategy, budgets in matrices.items()
    }
    return write_text_atomically(Path(path), json.dumps(payload, indent=1) + "\n")
