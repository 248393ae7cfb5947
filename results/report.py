"""Turn one or more run folders (metrics.csv, memory.csv) into tables, matrices and plots."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from results.bytes_plot import write_accuracy_bytes
from results.matrices import matrices_from_metrics, metric_names, write_matrices_json
from results.plots import write_plots
from results.ribbons import run_records_with_ribbons, write_ribbons
from results.run_files import RUN_KEY, read_memory_csv, read_metrics_csv
from results.tables import build_summary, write_summary
from tasks.errors import DataError


def _merge(tables: list[tuple[Path, pd.DataFrame]]) -> pd.DataFrame:
    """Concatenate per-folder tables, refusing a run (strategy, budget, seed) found in two files."""
    owner: dict[tuple, Path] = {}
    for path, table in tables:
        for key in table[list(RUN_KEY)].drop_duplicates().itertuples(index=False):
            if tuple(key) in owner:
                raise DataError(
                    f"{path}: run strategy={key[0]}, budget={key[1]}, seed={key[2]} is also in {owner[tuple(key)]}"
                )
        owner.update({tuple(k): path for k in table[list(RUN_KEY)].drop_duplicates().itertuples(index=False)})
    return pd.concat([table for _, table in tables], ignore_index=True)


def load_runs(run_dirs: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """metrics and memory tables of all folders (memory None when no run held a memory)."""
    if not run_dirs:
        raise DataError("no run folder given")
    metrics, memory = [], []
    for run_dir in map(Path, run_dirs):
        if not run_dir.is_dir():
            raise DataError(f"{run_dir}: run folder does not exist")
        metrics.append((run_dir / "metrics.csv", read_metrics_csv(run_dir / "metrics.csv")))
        if not (run_dir / "memory.csv").is_file():
            # itas run always writes it (only its header when no run kept a memory); without it the
            # memory columns would be blank as if no run had held one.
            raise DataError(f"{run_dir / 'memory.csv'}: file not found, expected beside metrics.csv "
                            "(a header-only file stands for runs without memory)")
        table = read_memory_csv(run_dir / "memory.csv")
        if table is not None:
            memory.append((run_dir / "memory.csv", table))
    return _merge(metrics), (_merge(memory) if memory else None)


def write_report(run_dirs: list[Path], out_dir: Path) -> list[Path]:
    """Write summary.{csv,md,tex}, matrices.json and the PNG plots (with ribbons_<strategy>.png from
    the run records, and accuracy_bytes.{png,md} with several budgets) into out_dir; return their paths.

    Every input is read and validated before the first file is written, and each file is written
    atomically, so a bad input leaves out_dir as it was.
    """
    metrics, memory = load_runs(run_dirs)
    matrices = matrices_from_metrics(metrics)
    summary = build_summary(matrices, memory)
    records = run_records_with_ribbons(run_dirs)
    out_dir = Path(out_dir)
    paths = write_summary(summary, out_dir)
    paths.append(write_matrices_json(matrices, out_dir / "matrices.json"))
    paths += write_plots(matrices, summary, metric_names(metrics), out_dir)
    paths += write_accuracy_bytes(summary, out_dir)
    paths += write_ribbons(records, out_dir)
    return paths
