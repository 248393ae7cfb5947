import pytest
import torch
import torch.nn.functional as F
from strategy_smoke import assert_plain_state, assert_scores_in_range, run_two_tasks

from replay.budget import Budget
from strategies.er_ace import asymmetric_loss
from strategies.loss import SMOOTHING_WEIGHT, smoothing_loss


def test_current_frames_ignore_classes_absent_from_the_batch():
    logits = torch.randn(2, 1, 5, 4, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([[1, 3, 3, -100]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    loss = asymmetric_loss(logits, y, mask)
    moved = logits.clone()
    moved[:, :, [0, 2, 4]] += 50.0  # absent classes: no effect
    assert asymmetric_loss(moved, y, mask).item() == pytest.approx(loss.item(), rel=1e-6)
    present = logits[:, :, [1, 3]]
    by_hand = sum(F.cross_entropy(stage, torch.tensor([[0, 1, 1, -100]]), ignore_index=-100)
                  + SMOOTHING_WEIGHT * smoothing_loss(stage, mask) for stage in present)
    assert loss.item() == pytest.approx(by_hand.item(), rel=1e-6)
    moved[:, :, 1] += 1.0  # a present class does matter
    assert asymmetric_loss(moved, y, mask).item() != pytest.approx(loss.item(), rel=1e-3)


def test_smoke_two_tasks():
    scores, parts = run_two_tasks("er_ace", {}, Budget(videos=4))
    assert_scores_in_range(scores, ("",))
    assert parts.plugins[0].replayed_videos == 3  # task 1 trained beside all 3 videos of task 0
    assert_plain_state(parts.plugins[0], parts.memory)
