"""Read and validate the two tables a run folder holds: metrics.csv and memory.csv.

metrics.csv  strategy,budget,seed,train_task,eval_task,metric,value   (one score per row)
memory.csv   strategy,budget,seed,after_task,task,component,bytes,videos,frames

Budgets are kept as text ("60", "4MB", "") so that every budget spelling survives; metric and
component names are free text, so extra metrics (e.g. "acc_nme") pass through untouched.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from results.metrics import METRICS
from tasks.errors import DataError

RUN_KEY = ("strategy", "budget", "seed")
METRICS_COLUMNS = (*RUN_KEY, "train_task", "eval_task", "metric", "value")
MEMORY_COLUMNS = (*RUN_KEY, "after_task", "task", "component", "bytes", "videos", "frames")


def budget_order(budget: str) -> tuple:
    """Sort key putting numeric budgets first, by value ("60" < "120"), then the rest as text."""
    try:
        return (0, float(budget), budget)
    except ValueError:
        return (1, 0.0, budget)


def _read_table(path: Path, columns: tuple[str, ...], integers: tuple[str, ...], floats: tuple[str, ...],
                allow_empty: bool = False) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as err:
        raise DataError(f"{path}: file not found") from err
    except pd.errors.EmptyDataError as err:
        raise DataError(f"{path}: empty file, expected the header {','.join(columns)}") from err
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: not a valid CSV file ({str(err).strip()})") from err
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing columns {', '.join(missing)} (expected {','.join(columns)})")
    if table.empty and not allow_empty:
        raise DataError(f"{path}: header but no rows")
    table = table[list(columns)].copy()
    for column in (*integers, *floats):
        numbers = pd.to_numeric(table[column].str.strip(), errors="coerce")
        bad = numbers.isna() | ~np.isfinite(numbers)
        if column in integers:
            bad |= (numbers != numbers.round()) | (numbers < 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            kind = "a non-negative integer" if column in integers else "a number"
            raise DataError(f"{path}:{row + 2}: column {column} must be {kind}, got {table[column].iloc[row]!r}")
        table[column] = numbers.astype(np.int64) if column in integers else numbers.astype(np.float64)
    if (table["strategy"].str.strip() == "").any():
        row = int(np.flatnonzero((table["strategy"].str.strip() == "").to_numpy())[0])
        raise DataError(f"{path}:{row + 2}: column strategy is empty")
    return table


def _reject_duplicates(table: pd.DataFrame, key: list[str], path: Path) -> None:
    duplicated = table.duplicated(subset=key)
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        values = ", ".join(f"{k}={table[k].iloc[row]}" for k in key)
        raise DataError(f"{path}:{row + 2}: duplicate row for {values}")


def read_metrics_csv(path: Path) -> pd.DataFrame:
    """metrics.csv as a DataFrame with int seed/train_task/eval_task and float value."""
    table = _read_table(Path(path), METRICS_COLUMNS, ("seed", "train_task", "eval_task"), ("value",))
    _reject_duplicates(table, [*RUN_KEY, "train_task", "eval_task", "metric"], Path(path))
    percent = table["metric"].isin(METRICS) & ~table["value"].between(0, 100)
    if percent.any():
        row = int(np.flatnonzero(percent.to_numpy())[0])
        raise DataError(f"{path}:{row + 2}: {table['metric'].iloc[row]} is {table['value'].iloc[row]:g}, "
                        "expected a percentage in [0, 100]")
    _check_task_grid(table, Path(path))
    return table


def _check_task_grid(table: pd.DataFrame, path: Path) -> None:
    """Each run scores every metric on tasks 0..N-1 after each of its trained tasks 0..L-1, L <= N:
    a stray row (eval_task=99 in a 5-task run) would otherwise widen its matrix silently."""
    for key, run in table.groupby(list(RUN_KEY), sort=False):
        name = ", ".join(f"{k}={v}" for k, v in zip(RUN_KEY, key))
        for column in ("eval_task", "train_task"):
            found = sorted(set(run[column]))
            odd = next((task for position, task in enumerate(found) if task != position), None)
            if odd is not None:
                raise DataError(f"{path}: run {name} has {column} {odd}, expected consecutive tasks 0..{len(found) - 1}")
        trained, tasks, metrics = (run[c].nunique() for c in ("train_task", "eval_task", "metric"))
        if trained > tasks:
            raise DataError(f"{path}: run {name} trained {trained} tasks but is evaluated on {tasks}")
        if len(run) != trained * tasks * metrics:
            raise DataError(f"{path}: run {name} has {len(run)} rows, expected {trained * tasks * metrics} "
                            "(every metric on every task after every trained task)")


def read_memory_csv(path: Path) -> pd.DataFrame | None:
    """memory.csv as a DataFrame with integer counts, or None when the run wrote none or only its
    header (no strategy of the run kept a memory)."""
    if not Path(path).exists():
        return None
    counts = ("seed", "after_task", "task", "bytes", "videos", "frames")
    table = _read_table(Path(path), MEMORY_COLUMNS, counts, (), allow_empty=True)
    if table.empty:
        return None
    _reject_duplicates(table, [*RUN_KEY, "after_task", "task", "component"], Path(path))
    return table
