import pytest
import torch
from loader_recording import template
from strategy_smoke import tiny_tasks

from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics


METRICS = {"acc", "edit", "f1@10", "f1@25", "f1@50"}


def _train_and_evaluate(predictors: dict) -> dict:
    """Two tasks, one epoch each, every task evaluated after each; returns the metric's scores."""
    torch.manual_seed(0)
    metric = SegmentationMetrics()
    strategy = template([], metric=metric)
    strategy.frame_predictors.update(predictors)
    bench = make_benchmark(tiny_tasks())
    for i, experience in enumerate(bench.train_stream):
        strategy.train(experience)
        metric.train_task = i
        strategy.eval(bench.test_stream)
    return metric.scores


def test_one_entry_per_train_task_eval_task_and_predictor():
    scores = _train_and_evaluate({"oracle": lambda s: s.mb_y.clamp_min(0)})
    assert set(scores) == {(i, j, p) for i in (0, 1) for j in (0, 1) for p in ("", "oracle")}
    for key, values in scores.items():
        assert set(values) == METRICS, key
        assert all(0.0 <= v <= 100.0 for v in values.values()), key
    assert all(scores[(i, j, "oracle")] == dict.fromkeys(METRICS, 100.0) for i in (0, 1) for j in (0, 1))


def test_constant_predictor_scores_hand_computed_and_padding_ignored():
    # Test videos of task 0 have 21 frames (10 of class 0, then 11 of class 1) and 24 (12 + 12),
    # evaluated in one padded batch. Predicting 0 everywhere: Acc = 22/45; Edit: [0] vs [0, 1] -> 50;
    # the one predicted segment hits the class-0 segment with IoU 10/21 and 12/24: at 10% and 25%
    # tp 2, fn 2 -> F1 = 2·2/(2·2 + 2) = 66.67; at 50% only 12/24 passes: tp 1, fp 1, fn 3 -> 33.33.
    # Task 1's classes are 2 and 3: [0] vs [2, 3] needs 2 edits (Edit 0) and hits nothing.
    scores = _train_and_evaluate({"zeros": lambda s: torch.zeros_like(s.mb_y)})
    for i in (0, 1):
        assert scores[(i, 0, "zeros")] == pytest.approx(
            {"acc": 100 * 22 / 45, "edit": 50.0, "f1@10": 200 / 3, "f1@25": 200 / 3, "f1@50": 100 / 3})
        assert scores[(i, 1, "zeros")] == pytest.approx(
            {"acc": 0.0, "edit": 0.0, "f1@10": 0.0, "f1@25": 0.0, "f1@50": 0.0})
