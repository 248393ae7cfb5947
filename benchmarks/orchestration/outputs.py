"""Run records → metrics.csv, memory.csv, matrices.json, reports; and the final console table."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from tasks.atomic_files import write_text_atomically
from results.report import write_report
from results.run_files import MEMORY_COLUMNS as RUN_MEMORY_COLUMNS
from results.run_files import METRICS_COLUMNS
from results.tables import memory_after_last_task

# The column contracts `itas report` reads back (results.run_files)
METRIC_COLUMNS = list(METRICS_COLUMNS)
MEMORY_COLUMNS = list(RUN_MEMORY_COLUMNS)


def metrics_frame(records: list[dict]) -> pd.DataFrame:
    rows = [[r[0], rec["budget"], rec["seed"], *r[1:]] for rec in records for r in rec["metrics"]]
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def memory_frame(records: list[dict]) -> pd.DataFrame:
    rows = [[rec["strategy"], rec["budget"], rec["seed"], *r] for rec in records for r in rec["memory"]]
    return pd.DataFrame(rows, columns=MEMORY_COLUMNS)


def write_run_tables(records: list[dict], out: Path) -> None:
    metrics = metrics_frame(records)
    write_text_atomically(out / "metrics.csv", metrics.to_csv(index=False, float_format="%.4f"))
    write_text_atomically(out / "memory.csv", memory_frame(records).to_csv(index=False))
    write_report([out], out)


def final_table(records: list[dict]) -> str:
    """Final average (mean over tasks of the last row) per strategy × budget, mean over seeds."""
    metrics = metrics_frame(records)
    last = metrics["train_task"] == metrics.groupby(["strategy", "budget", "seed"])["train_task"].transform("max")
    final = (metrics[last].groupby(["strategy", "budget", "seed", "metric"])["value"].mean()
             .groupby(["strategy", "budget", "metric"]).mean().unstack("metric"))
    memory = memory_frame(records)
    if not memory.empty:
        total = memory_after_last_task(memory).groupby(["strategy", "budget"])["memory_bytes"].mean()
        final["memory_bytes"] = total.reindex(final.index).fillna(0).astype(int)
    else:
        final["memory_bytes"] = 0
    seconds = pd.Series({(r["strategy"], r["budget"], r["seed"]): r.get("seconds", 0.0) for r in records})
    final["seconds"] = seconds.groupby(level=[0, 1]).sum().reindex(final.index).round(1).fillna(0.0)
    cols = [c for c in ["acc", "edit", "f1@10", "f1@25", "f1@50"] if c in final.columns]
    return "Final average over tasks (last row of R):\n" + final[cols + ["memory_bytes", "seconds"]].round(2).to_string()
