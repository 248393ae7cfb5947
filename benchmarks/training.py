"""One run: a strategy, a budget and a seed, trained task after task and evaluated on every task."""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch
from avalanche.core import SupervisedPlugin
from avalanche.training.plugins import EvaluationPlugin
from tqdm.auto import tqdm

import strategies  # noqa: F401  (registers every strategy)
from benchmarks.config import StrategyEntry
from replay.budget import Budget
from replay.memory import MemoryContext
from strategies.backbones import MSTCN
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.registry import StrategyContext, build_strategy
from strategies.template import TASTemplate
from tasks.scenario import Scenario


@dataclass
class RunSpec:
    strategy: StrategyEntry
    budget: Budget | None
    budget_label: str
    seed: int
    cfg: dict
    background: tuple[str, ...]


class EpochProgress(SupervisedPlugin):
    """A tqdm bar per task, advanced each epoch, showing the running loss."""

    def __init__(self, label: str, n_tasks: int):
        super().__init__()
        self.label, self.n_tasks, self.bar = label, n_tasks, None

    def before_training_exp(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        self.bar = tqdm(total=strategy.train_epochs, desc=f"{self.label} task {task + 1}/{self.n_tasks}",
                        unit="epoch", leave=False)

    def after_training_epoch(self, strategy, **kwargs) -> None:
        self.bar.set_postfix(loss=f"{float(strategy.loss):.3f}")
        self.bar.update()

    def after_training_exp(self, strategy, **kwargs) -> None:
        self.bar.close()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_backbone(cfg: dict, in_dim: int, num_classes: int) -> torch.nn.Module:
    b = cfg["backbone"]
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


def train_run(spec: RunSpec, scenario: Scenario, device: torch.device, progress: bool) -> dict:
    cfg, train = spec.cfg, spec.cfg["train"]
    seed_everything(spec.seed)
    dim = scenario.tasks[0].train[0].dim
    model = build_backbone(cfg, dim, scenario.num_classes)
    ctx = StrategyContext(spec.budget, spec.seed, device, scenario.num_classes,
                          [t.train for t in scenario.tasks], progress)
    parts = build_strategy(spec.strategy.name, ctx, spec.strategy.params)
    if parts.memory is not None:
        parts.memory.check_feasible([t.train for t in scenario.tasks],
                                    MemoryContext(device, scenario.num_classes, spec.seed))
    metric = SegmentationMetrics(scenario.label_space.background_ids(list(spec.background)))
    plugins = list(parts.plugins)
    if progress:
        plugins.append(EpochProgress(spec.strategy.label, len(scenario.tasks)))
    strategy = TASTemplate(
        model=model,
        optimizer=torch.optim.Adam(model.parameters(), lr=train["lr"]),
        train_mb_size=train["batch_size"],
        train_epochs=train["epochs"],
        eval_mb_size=train["eval_batch_size"],
        device=device,
        plugins=plugins,
        evaluator=EvaluationPlugin(metric, loggers=[]),
    )
    bench = make_benchmark(scenario.tasks)
    memory_table = []
    for i, experience in enumerate(bench.train_stream):
        strategy.train(experience)
        metric.train_task = i
        strategy.eval(bench.test_stream)
        if parts.memory is not None:
            memory_table += memory_rows(parts.memory, i)
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
