"""Train plugins through TASTemplate on the strategy_smoke tasks while recording what the training
loader yields, shared by the template, joint and replay-plugin tests."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch
from avalanche.core import SupervisedPlugin
from strategy_smoke import CPU, DIM, NUM_CLASSES, tiny_video

from strategies.backbones import MSTCN
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.template import TASTemplate
from strategies.template import evaluation_plugin


class LoaderRecorder(SupervisedPlugin):
    """Per training epoch the video names of every mini-batch; per iteration the loss."""

    def __init__(self):
        super().__init__()
        self.epochs: list[list[str]] = []
        self.losses: list[float] = []
        self.batches: list[dict] = []

    def before_training_epoch(self, strategy, **kwargs) -> None:
        self.epochs.append([])

    def before_forward(self, strategy, **kwargs) -> None:
        self.batches.append(dict(strategy.mbatch))

    def after_training_iteration(self, strategy, **kwargs) -> None:
        self.epochs[-1] += strategy.mbatch["video"]
        self.losses.append(strategy.loss.item())


def three_tasks() -> list[SimpleNamespace]:
    """Three tasks of 3 train + 2 test two-segment videos: classes (0, 1), (2, 3), (1, 2)."""
    rng = np.random.default_rng(0)
    tasks = []
    for index, classes in enumerate([(0, 1), (2, 3), (1, 2)]):
        videos = [tiny_video(f"t{index}v{i}", classes, 12 + 3 * i, rng) for i in range(5)]
        tasks.append(SimpleNamespace(index=index, train=videos[:3], test=videos[3:]))
    return tasks


def template(plugins: list, epochs: int = 1, batch: int = 2, lr: float = 1e-2,
             metric: SegmentationMetrics | None = None, precision: str = "fp32") -> TASTemplate:
    model = MSTCN(DIM, NUM_CLASSES, stages=2, layers=2, maps=8, dropout=0.0)
    return TASTemplate(
        model=model, optimizer=torch.optim.Adam(model.parameters(), lr=lr), train_mb_size=batch,
        train_epochs=epochs, eval_mb_size=batch, device=CPU, plugins=plugins,
        evaluator=evaluation_plugin(metric or SegmentationMetrics(), []), precision=precision,
    )


def train_recorded(plugins: list, tasks: list, epochs: int = 1) -> LoaderRecorder:
    """Train on every task in order (seed 0); the recorder sees `epochs` entries per task."""
    torch.manual_seed(0)
    recorder = LoaderRecorder()
    strategy = template([*plugins, recorder], epochs=epochs)
    for experience in make_benchmark(tasks).train_stream:
        strategy.train(experience)
    return recorder
