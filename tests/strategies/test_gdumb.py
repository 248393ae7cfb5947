from types import SimpleNamespace

import numpy as np
import torch
from strategy_smoke import CPU, DIM, NUM_CLASSES, assert_plain_state, assert_scores_in_range, run_two_tasks

from replay.budget import Budget
from strategies.backbones import MSTCN
from strategies.gdumb import GDumbPlugin, class_balanced_order
from strategies.registry import StrategyContext
from tasks.video import Video


def _video(name, labels):
    return Video(name, "act", np.zeros((len(labels), 2), np.float32), np.asarray(labels, np.int64))


def test_greedy_order_balances_frames_per_class():
    videos = [_video("a", [0] * 10), _video("b", [0] * 8), _video("c", [0] * 2 + [1] * 3), _video("d", [2] * 4)]
    # class 0 (0 frames, lowest id) → a; then 1 (0 frames) → c; then 2 → d; then 1 (3) → only left: b
    assert class_balanced_order(videos, [0, 1, 2, 3]) == [0, 2, 3, 1]
    # the selection's ranking breaks ties: b before a for class 0
    assert class_balanced_order(videos, [1, 0, 3, 2]) == [1, 2, 3, 0]
    # random keeping of 2 of [a, b, c, d] may hold class 0 only; the balanced prefix holds 0 and 1
    kept = [videos[i] for i in class_balanced_order(videos, [0, 1, 2, 3])[:2]]
    assert sorted({int(c) for v in kept for c in v.labels}) == [0, 1]


def test_the_model_is_reset_to_its_initial_weights_before_every_task():
    torch.manual_seed(0)
    model = MSTCN(DIM, NUM_CLASSES, stages=1, layers=1, maps=4)
    optimizer = torch.optim.Adam(model.parameters())
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    plugin = GDumbPlugin(None, StrategyContext(Budget(videos=2), 0, CPU, NUM_CLASSES))
    strategy = SimpleNamespace(model=model, optimizer=optimizer)
    plugin.before_training_exp(strategy)
    model(torch.randn(1, 5, DIM), torch.ones(1, 5)).sum().backward()
    optimizer.step()
    assert not torch.equal(model.stages[0].conv_in.weight, initial["stages.0.conv_in.weight"])
    plugin.before_training_exp(strategy)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in initial.items())
    assert len(optimizer.state) == 0  # Adam's moments cleared too


def test_smoke_two_tasks_trains_on_a_class_balanced_memory_only():
    scores, parts = run_two_tasks("gdumb", {}, Budget(videos=4))
    assert_scores_in_range(scores, ("",))
    # 4 videos shared by 2 tasks: 2 each; each task's two classes both present
    held = {}
    for video in parts.memory.replay(CPU):
        held.setdefault(video.name.split(":")[1], set()).update(np.unique(video.labels).tolist())
    assert held == {"0": {0, 1}, "1": {2, 3}}
    initial = parts.plugins[0].initial
    torch.manual_seed(0)
    fresh = MSTCN(DIM, NUM_CLASSES, stages=2, layers=2, maps=8)
    assert all(torch.equal(fresh.state_dict()[k], v) for k, v in initial.items())
    assert_plain_state(parts.plugins[0], parts.memory)
