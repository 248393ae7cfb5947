"""One run: a strategy, a budget and a seed, trained task after task and evaluated on every task."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from benchmarks.config import StrategyEntry
from replay.budget import Budget
from replay.files import save_memory
from replay.stored import SelectedVideoMemory
from strategies.backbones import ASFormer, MSTCN
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.progress import EpochProgress
from strategies.registry import StrategyContext, build_strategy
from strategies.template import make_template
from tasks.scenario import Scenario


@dataclass
class RunSpec:
    strategy: StrategyEntry
    budget: Budget | None
    budget_label: str
    seed: int
    cfg: dict
    background: tuple[str, ...]


def start_training(train_cfg: dict, seed: int) -> None:
    """Same start for every training: the config's torch thread count, then every RNG seeded."""
    if train_cfg["threads"] is not None:
        torch.set_num_threads(train_cfg["threads"])
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_backbone(cfg: dict, in_dim: int, num_classes: int) -> torch.nn.Module:
    b = cfg["backbone"]
    if b["name"] == "asformer":
        return ASFormer(in_dim, num_classes, b["stages"], b["layers"], b["maps"], b["dropout"], b["channel_dropout"])
    return MSTCN(in_dim, num_classes, b["stages"], b["layers"], b["maps"], b["dropout"])


def memory_rows(memory, after_task: int) -> list[list]:
    """memory.csv rows after a task: bytes by component for every stored task."""
    rows = []
    stored = memory.stored()
    for task, by_component in sorted(memory.nbytes_by_task().items()):
        held = stored.get(task, {"videos": 0, "frames": 0})
        for component, nbytes in by_component.items():
            rows.append([after_task, task, component, int(nbytes), held["videos"], held["frames"]])
    return rows


def train_run(spec: RunSpec, scenario: Scenario, device: torch.device, progress: bool,
              memory_file: Path | None = None) -> dict:
    """Train task after task, evaluating on every task; the memory is saved to `memory_file` after
    the last task when given (replay memories; iCaRL's clip memory is not saved)."""
    cfg, train = spec.cfg, spec.cfg["train"]
    start_training(train, spec.seed)
    dim = scenario.tasks[0].train[0].dim
    model = build_backbone(cfg, dim, scenario.num_classes)
    ctx = StrategyContext(spec.budget, spec.seed, device, scenario.num_classes,
                          [t.train for t in scenario.tasks], progress)
    parts = build_strategy(spec.strategy.name, ctx, spec.strategy.params)
    metric = SegmentationMetrics(scenario.label_space.background_ids(list(spec.background)))
    plugins = list(parts.plugins)
    if progress:
        plugins.append(EpochProgress(spec.strategy.label, len(scenario.tasks)))
    strategy = make_template(model, train, device, plugins, metric)
    bench = make_benchmark(scenario.tasks)
    memory_table = []
    for i, experience in enumerate(bench.train_stream):
        strategy.train(experience)
        metric.train_task = i
        strategy.eval(bench.test_stream)
        if parts.memory is not None:
            memory_table += memory_rows(parts.memory, i)
    if memory_file is not None and isinstance(parts.memory, SelectedVideoMemory):
        params = {**spec.strategy.params, "seed": parts.memory.seed}
        save_memory(memory_file, parts.memory, spec.strategy.name, params, scenario.label_space.classes)
    metrics_table = [
        [f"{spec.strategy.label}-{name}" if name else spec.strategy.label, i, j, m, float(v)]
        for (i, j, name), scores in sorted(metric.scores.items())
        for m, v in scores.items()
    ]
    return {
        "strategy": spec.strategy.label,
        "budget": spec.budget_label,
        "seed": spec.seed,
        "metrics": metrics_table,
        "memory": memory_table,
    }
