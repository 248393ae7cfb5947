"""One run: a strategy, a budget and a seed, trained task after task and evaluated on every task."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from benchmarks.orchestration.checkpoints import RunCheckpoint, capture, restore
from benchmarks.config import StrategyEntry
from benchmarks.orchestration.loggers import close_loggers, make_loggers
from benchmarks.orchestration.predictions import PredictionFiles, RibbonRecorder
from replay.budget import Budget
from replay.files import save_memory
from replay.latent import DecoderMemory
from replay.registry import MEMORIES
from replay.stored import SelectedVideoMemory
from strategies.backbones import make_backbone
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.progress import EpochProgress, ProgressFile
from strategies.registry import StrategyContext, build_strategy
from strategies.template import make_template
from tasks.precision import use_precision
from tasks.safe_paths import check_name
from tasks.scenario import Scenario


@dataclass
class RunOutputs:
    """Folders a run writes into besides its record (None: not written)."""

    loggers: Path | None = None  # loggers/<run>/: one subfolder per configured logger
    predictions: Path | None = None  # predictions/: the run's folders go below it
    progress: Path | None = None  # progress/<run>.json: task and epoch, for a parent process


def run_key(label: str, budget_label: str, seed: int) -> str:
    """A run's name in file names: runs/<key>.json, memories/<key>.pt, loggers/<key>/ ... (a plain
    file name, or a DataError naming the label)."""
    return check_name(f"{label}__{budget_label}__seed{seed}".replace("/", "_"), f"strategy label {label!r}")


def metric_label(label: str, predictor: str) -> str:
    """The strategy column of a predictor's rows: the head is the strategy, others add their name."""
    return f"{label}-{predictor}" if predictor else label


@dataclass
class RunSpec:
    strategy: StrategyEntry
    budget: Budget | None
    budget_label: str
    seed: int
    cfg: dict
    background: tuple[str, ...]


def start_training(train_cfg: dict, seed: int, device: torch.device) -> None:
    """Same start for every training: the config's torch thread count and precision on `device`,
    then every RNG seeded."""
    use_precision(train_cfg["precision"], device)
    if train_cfg["threads"] is not None:
        torch.set_num_threads(train_cfg["threads"])
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_backbone(cfg: dict, in_dim: int, num_classes: int) -> torch.nn.Module:
    return make_backbone(cfg["backbone"], in_dim, num_classes)


def parameter_count(model: torch.nn.Module) -> int:
    """Trainable parameters: what EWC, SI and MAS keep one importance and one anchor value for."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def memory_rows(memory, after_task: int) -> list[list]:
    """memory.csv rows after a task: bytes by component for every stored task."""
    rows = []
    stored = memory.stored()
    for task, by_component in sorted(memory.nbytes_by_task().items()):
        held = stored.get(task, {"videos": 0, "frames": 0})
        for component, nbytes in by_component.items():
            rows.append([after_task, task, component, int(nbytes), held["videos"], held["frames"]])
    return rows


def report_tca(label: str, memory: DecoderMemory, task: int) -> dict:
    """Log line and run-record entry: was this task's TCA trained here or loaded from the cache?"""
    origin = memory.tca_origins[task]
    where = f" ({origin.path})" if origin.path else ""
    tqdm.write(f"[itas] {label} task {task}: TCA {origin.how} in {origin.seconds:.1f} s{where}")
    return origin.record(task)


def train_run(spec: RunSpec, scenario: Scenario, device: torch.device, progress: bool,
              memory_file: Path | None = None, tca_cache: Path | None = None,
              outputs: RunOutputs | None = None, checkpoint: RunCheckpoint | None = None) -> dict:
    """Train task after task, evaluating on every task; the memory is saved to `memory_file` after
    the last task when given (replay memories; iCaRL's clip memory is not saved). Latent and
    generative memories share trained TCAs through `tca_cache` (None: each trains its own).
    With `checkpoint`, the run's state is written there after every task, and a run that finds one
    (of the same config) resumes after its last finished task."""
    outputs = outputs or RunOutputs()
    cfg, train = spec.cfg, spec.cfg["train"]
    start_training(train, spec.seed, device)
    dim = scenario.tasks[0].train[0].dim
    model = build_backbone(cfg, dim, scenario.num_classes)
    ctx = StrategyContext(spec.budget, spec.seed, device, scenario.num_classes,
                          [t.train for t in scenario.tasks], progress, tca_cache, train["precision"],
                          parameter_count(model))
    parts = build_strategy(spec.strategy.name, ctx, spec.strategy.params)
    classes = scenario.label_space.classes
    ribbons = RibbonRecorder(classes)
    listeners = [ribbons]
    save = cfg["output"]["save_predictions"]
    if outputs.predictions is not None and save != "none":
        label, folder = spec.strategy.label, outputs.predictions
        listeners.append(PredictionFiles(
            lambda predictor: folder / run_key(metric_label(label, predictor), spec.budget_label, spec.seed),
            classes, save, len(scenario.tasks) - 1))
    metric = SegmentationMetrics(scenario.label_space.background_ids(list(spec.background)), listeners)
    plugins = list(parts.plugins)
    if progress:
        plugins.append(EpochProgress(spec.strategy.label, len(scenario.tasks)))
    if outputs.progress is not None:
        plugins.append(ProgressFile(outputs.progress, len(scenario.tasks)))
    loggers = []
    if outputs.loggers is not None and cfg["output"]["loggers"]:
        tags = {"strategy": spec.strategy.label, "budget": spec.budget_label, "seed": spec.seed}
        loggers = make_loggers(cfg["output"]["loggers"], outputs.loggers, outputs.loggers.name, tags)
    strategy = make_template(model, train, device, plugins, metric, loggers)
    bench = make_benchmark(scenario.tasks)
    tables: dict = {"memory": [], "tca": [], "ribbons": ribbons.record}
    state = checkpoint.load(device) if checkpoint is not None else None
    first = 0
    if state is not None:
        tables = restore(state, strategy, parts.plugins, metric, bench, checkpoint.path)
        ribbons.record = tables["ribbons"]
        first = state["task"] + 1
        tqdm.write(f"[itas] {spec.strategy.label} seed {spec.seed}: resumed after task {state['task']}")
    memory_table, tca_table = tables["memory"], tables["tca"]
    try:
        for i, experience in enumerate(bench.train_stream):
            if i < first:
                continue
            strategy.train(experience)
            if isinstance(parts.memory, DecoderMemory):
                tca_table.append(report_tca(f"{spec.strategy.label} seed {spec.seed}", parts.memory, i))
            metric.train_task = i
            strategy.eval(bench.test_stream)
            if parts.memory is not None:
                memory_table += memory_rows(parts.memory, i)
            if checkpoint is not None:
                checkpoint.save(capture(strategy, parts.plugins, metric, tables, i))
    finally:
        close_loggers(loggers)
    # Only the registry's replay memories are saved: `itas replay` rebuilds a memory by that name.
    if memory_file is not None and isinstance(parts.memory, SelectedVideoMemory) and spec.strategy.name in MEMORIES:
        params = {**spec.strategy.params, "seed": parts.memory.seed}
        save_memory(memory_file, parts.memory, spec.strategy.name, params, scenario.label_space.classes)
    metrics_table = [
        [metric_label(spec.strategy.label, name), i, j, m, float(v)]
        for (i, j, name), scores in sorted(metric.scores.items())
        for m, v in scores.items()
    ]
    return {
        "strategy": spec.strategy.label,
        "budget": spec.budget_label,
        "seed": spec.seed,
        "metrics": metrics_table,
        "memory": memory_table,
        **({"tca": tca_table} if tca_table else {}),
        "ribbons": ribbons.record,
    }
