"""Runs an experiment config: every seed × strategy × budget, one Avalanche strategy per run.

Each finished run is recorded atomically in DIR/runs/<key>.json, so an interrupted sweep resumes
where it stopped; the tables (metrics.csv, memory.csv, matrices.json, summaries, plots) are rebuilt
from those records at the end.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from benchmarks.config import StrategyEntry, strategy_entries
from benchmarks.data import load_experiment_data
from benchmarks.files import write_json_atomic
from benchmarks.training import RunSpec, train_run
from replay.budget import Budget
from strategies.registry import USES_MEMORY
from tasks.errors import DataError
from tasks.scenario import Scenario, build_scenario

NO_BUDGET = "none"


@dataclass(frozen=True)
class PlannedRun:
    seed: int
    strategy: StrategyEntry
    budget: Budget | None

    @property
    def budget_label(self) -> str:
        return self.budget.label if self.budget is not None else NO_BUDGET

    @property
    def key(self) -> str:
        return f"{self.strategy.label}__{self.budget_label}__seed{self.seed}".replace("/", "_")


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise DataError("--device cuda: no CUDA device is available (use --device cpu or auto)")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise DataError(f"--device: expected auto, cpu or cuda[:N], got {name!r}")
    return torch.device(name)


def plan_runs(cfg: dict) -> list[PlannedRun]:
    budgets = [Budget.parse(spec) for spec in cfg["budgets"]]
    runs = []
    for seed in cfg["protocol"]["seeds"]:
        for entry in strategy_entries(cfg):
            if entry.name in USES_MEMORY:
                runs += [PlannedRun(seed, entry, b) for b in budgets]
            else:
                runs.append(PlannedRun(seed, entry, None))
    return runs


def run_experiment(cfg: dict, out_dir: Path, device: torch.device, progress: bool = True) -> list[dict]:
    """Train and evaluate every planned run; returns the run records (see training.train_run)."""
    runs = plan_runs(cfg)
    dataset = load_experiment_data(cfg["data"], progress=progress)
    scenarios: dict[int, Scenario] = {}
    for seed in cfg["protocol"]["seeds"]:
        scenarios[seed] = build_scenario(dataset, cfg["protocol"]["labels"], cfg["protocol"]["tasks"], seed)
    write_json_atomic(out_dir / "tasks.json",
                      {"seeds": {str(s): sc.summary() for s, sc in scenarios.items()}})
    records = []
    for run in runs:
        record_path = out_dir / "runs" / f"{run.key}.json"
        if record_path.is_file():
            records.append(json.loads(record_path.read_text()))
            if progress:
                print(f"[itas] {run.key}: already recorded, skipped")
            continue
        scenario = scenarios[run.seed]
        spec = RunSpec(run.strategy, run.budget, run.budget_label, run.seed, cfg, dataset.background)
        start = time.perf_counter()
        record = train_run(spec, scenario, device, progress)
        record["seconds"] = round(time.perf_counter() - start, 2)
        write_json_atomic(record_path, record)
        records.append(record)
    return records
