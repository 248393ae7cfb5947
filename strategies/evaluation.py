"""Per-task segmentation metrics as an Avalanche PluginMetric.

Collects per-video frame predictions during `strategy.eval(test_stream)` and scores each experience
(task) with the functional core in results.metrics: Acc, Edit, F1@{10,25,50}. Scores are kept in
`scores[(train_task, eval_task, predictor)]` for the runner and emitted as MetricValues for loggers.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from avalanche.evaluation import PluginMetric
from avalanche.evaluation.metric_results import MetricValue

from results.metrics import METRIC_TITLES, segmentation_scores

# Names in Avalanche's per-experience convention, so its loggers file them as they file accuracy
# (its CSVLogger reads exactly `Top1_Acc_Exp`).
LOGGED_NAMES = {metric: f"{title}_Exp" for metric, title in METRIC_TITLES.items()} | {"acc": "Top1_Acc_Exp"}


# Called after each evaluated task with (train_task, eval_task, video names, ground truths, predictions
# by predictor name), e.g. to save the predictions; arrays are per-video class ids.
PredictionListener = Callable[[int, int, list[str], list[np.ndarray], dict[str, list[np.ndarray]]], None]


class SegmentationMetrics(PluginMetric[dict]):
    def __init__(self, background: Sequence[int] = (), listeners: Sequence[PredictionListener] = ()):
        super().__init__()
        self.background = tuple(background)
        self.listeners = list(listeners)
        self.train_task = -1  # set by the runner before each evaluation pass
        self.scores: dict[tuple[int, int, str], dict[str, float]] = {}
        self.reset()

    def reset(self) -> None:
        self._names: list[str] = []
        self._gts: list[np.ndarray] = []
        self._preds: dict[str, list[np.ndarray]] = {}

    def result(self) -> dict:
        return dict(self.scores)

    def before_eval_exp(self, strategy) -> None:
        self.reset()

    def after_eval_iteration(self, strategy) -> None:
        lengths = strategy.mb_mask.sum(dim=1).long().tolist()
        y = strategy.mb_y.cpu().numpy()
        preds = {k: v.cpu().numpy() for k, v in strategy.frame_predictions().items()}
        self._names += list(strategy.mbatch["video"])
        for b, n in enumerate(lengths):
            self._gts.append(y[b, :n])
            for name, p in preds.items():
                self._preds.setdefault(name, []).append(p[b, :n])

    def after_eval_exp(self, strategy) -> list[MetricValue]:
        eval_task = strategy.experience.current_experience
        for listener in self.listeners:
            listener(self.train_task, eval_task, self._names, self._gts, self._preds)
        values = []
        for name, preds in self._preds.items():
            scores = segmentation_scores(preds, self._gts, background=self.background)
            self.scores[(self.train_task, eval_task, name)] = scores
            prefix = f"{name}_" if name else ""
            values += [
                MetricValue(self, f"{prefix}{LOGGED_NAMES[metric]}/eval_phase/test_stream/Exp{eval_task:03d}",
                            value, strategy.clock.train_iterations)
                for metric, value in scores.items()
            ]
        return values

    def __str__(self) -> str:
        return "Segmentation"
