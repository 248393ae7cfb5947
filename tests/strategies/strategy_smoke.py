"""A tiny two-task class-incremental run through TASTemplate, shared by the strategy smoke tests."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

import strategies  # noqa: F401  (registers every strategy)
from strategies.backbones import MSTCN
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.registry import StrategyContext, build_strategy
from strategies.template import TASTemplate, evaluation_plugin
from tasks.video import Video

DIM, NUM_CLASSES = 6, 4
CPU = torch.device("cpu")


def tiny_video(name: str, classes: tuple[int, int], length: int, rng: np.random.Generator) -> Video:
    """Two segments: a class prototype (one-hot direction) plus noise per frame."""
    cut = length // 2
    labels = np.array([classes[0]] * cut + [classes[1]] * (length - cut), dtype=np.int64)
    features = np.eye(DIM, dtype=np.float32)[labels] + 0.3 * rng.standard_normal((length, DIM)).astype(np.float32)
    return Video(name, f"activity{classes[0]}", features, labels)


def tiny_tasks() -> list[SimpleNamespace]:
    rng = np.random.default_rng(0)
    tasks = []
    for index, classes in enumerate([(0, 1), (2, 3)]):
        videos = [tiny_video(f"t{index}v{i}", classes, 12 + 3 * i, rng) for i in range(5)]
        tasks.append(SimpleNamespace(index=index, train=videos[:3], test=videos[3:]))
    return tasks


def run_two_tasks(name: str, params: dict, budget=None, device: torch.device = CPU):
    """Train `name` on both tasks (1 epoch each), evaluating on both after each; returns
    (metric scores keyed (train_task, eval_task, predictor), strategy parts)."""
    torch.manual_seed(0)
    tasks = tiny_tasks()
    model = MSTCN(DIM, NUM_CLASSES, stages=2, layers=2, maps=8)
    ctx = StrategyContext(budget, 0, device, NUM_CLASSES, [t.train for t in tasks],
                          parameter_count=sum(p.numel() for p in model.parameters()))
    parts = build_strategy(name, ctx, params)
    if parts.memory is not None:
        parts.memory.check_feasible([t.train for t in tasks])
    metric = SegmentationMetrics()
    strategy = TASTemplate(
        model=model, optimizer=torch.optim.Adam(model.parameters(), lr=1e-2), train_mb_size=2,
        train_epochs=1, eval_mb_size=2, device=device, plugins=parts.plugins,
        evaluator=evaluation_plugin(metric, []),
    )
    bench = make_benchmark(tasks)
    for i, experience in enumerate(bench.train_stream):
        strategy.train(experience)
        metric.train_task = i
        strategy.eval(bench.test_stream)
    return metric.scores, parts


def assert_scores_in_range(scores: dict, predictors: tuple[str, ...]) -> None:
    for train_task in (0, 1):
        for eval_task in (0, 1):
            for predictor in predictors:
                values = scores[(train_task, eval_task, predictor)]
                assert set(values) == {"acc", "edit", "f1@10", "f1@25", "f1@50"}, values
                assert all(0.0 <= v <= 100.0 for v in values.values()), values


def assert_plain_state(plugin, memory=None) -> None:
    """A plugin's own checkpointed attributes (all but its memory and the scenario's videos) are
    tensors, numbers, strings and containers only: a weights_only torch.load reads them back."""
    import io

    state = {name: value for name, value in vars(plugin).items() if value is not memory and name != "train_videos"}
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True).keys() == state.keys()
