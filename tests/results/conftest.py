"""A synthetic run folder: metrics.csv and memory.csv for 2 strategies × 2 seeds × 3 tasks.

Acc matrices are chosen by hand so every aggregate is hand-computable (see test_tables.py);
Edit and F1@k are Acc minus 5, 10, 15 and 20, and "acc_nme" (an extra metric) is Acc plus 1, each
kept within [0, 100] as every score is.
"""
import csv
from pathlib import Path

import pytest

ACC = {
    ("finetune", 1): [[90, 0, 0], [10, 80, 0], [5, 10, 85]],
    ("finetune", 2): [[80, 0, 0], [20, 70, 0], [15, 10, 95]],
    ("condensed", 1): [[90, 0, 0], [60, 80, 0], [50, 60, 85]],
    ("condensed", 2): [[80, 0, 0], [70, 70, 0], [60, 50, 95]],
}
OFFSETS = {"acc": 0, "edit": -5, "f1@10": -10, "f1@25": -15, "f1@50": -20, "acc_nme": 1}
# bytes each stored task holds, by component and seed; the k-th budget of a sweep holds 2^k times the codes
MEMORY = {1: {"codes": 1000, "transcripts": 200, "decoders": 50000}, 2: {"codes": 1400, "transcripts": 200, "decoders": 50000}}


def write_run(folder: Path, budgets: tuple[str, ...] = ("60",), with_memory: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "metrics.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"])
        for (strategy, seed), r in ACC.items():
            for budget in budgets if strategy == "condensed" else ("0",):
                bonus = 5 * budgets.index(budget) if strategy == "condensed" else 0
                for i, row in enumerate(r):
                    for j, value in enumerate(row):
                        for metric, offset in OFFSETS.items():
                            score = value + offset + (bonus if j <= i else 0)
                            out.writerow([strategy, budget, seed, i, j, metric, min(100, max(0, score))])
    if with_memory:
        with open(folder / "memory.csv", "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["strategy", "budget", "seed", "after_task", "task", "component", "bytes", "videos", "frames"])
            for budget in budgets:
                scale = 2 ** budgets.index(budget)
                for seed, components in MEMORY.items():
                    for after in range(3):
                        for task in range(after + 1):
                            for component, nbytes in components.items():
                                size = nbytes * scale if component == "codes" else nbytes
                                out.writerow(["condensed", budget, seed, after, task, component, size, 2, 300])
    return folder


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return write_run(tmp_path / "run")


@pytest.fixture
def make_run():
    """write_run itself, for tests that need budget sweeps or no memory.csv."""
    return write_run
