import math

import pytest
import torch
from strategy_smoke import CPU, NUM_CLASSES, assert_scores_in_range, run_two_tasks

from strategies.backbones import MSTCN
from strategies.lwf import DistillationPlugin, distillation_loss, frozen_copy
from strategies.registry import StrategyContext, build_strategy
from tasks.errors import DataError


def _logits(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(0))


def test_zero_when_model_equals_previous():
    logits = _logits(3, 2, 5, 7)
    mask = torch.ones(2, 7)
    loss = distillation_loss(logits, logits.clone(), mask, torch.tensor([0, 2, 4]), 2.0)
    assert loss.item() == 0.0


def test_hand_computed_value_old_classes_only_mean_over_valid_frames_sum_over_stages():
    # Old classes {0, 1}; at T = 2, old logits (2 ln 3, 0) give p_old = (3/4, 1/4), new (0, 0) give
    # (1/2, 1/2): KL = 3/4 ln(3/2) + 1/4 ln(1/2) = 0.130812. Frame 1 agrees (KL 0), frame 2 is
    # padding; two identical stages: loss = T² · 2 · (KL + 0) / 2 = 4 · KL.
    old = torch.zeros(2, 1, 3, 3)
    old[:, 0, 0, 0] = 2 * math.log(3)
    new = torch.zeros(2, 1, 3, 3)
    new[:, 0, 2, :] = 50.0  # class 2 is not old: its logit must not matter
    new[:, 0, :, 2] = torch.tensor([9.0, -9.0, 0.0])  # padded frame
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    kl = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    loss = distillation_loss(new, old, mask, torch.tensor([0, 1]), 2.0)
    assert loss.item() == pytest.approx(4 * kl, rel=1e-6)
    assert loss.item() == pytest.approx(0.523248, abs=1e-6)


def test_padded_frames_do_not_change_the_loss():
    new, old = _logits(2, 3, 4, 6), _logits(2, 3, 4, 6).flip(0)
    mask = torch.tensor([[1.0] * 6, [1.0] * 4 + [0.0] * 2, [1.0] * 2 + [0.0] * 4])
    classes = torch.tensor([1, 3])
    reference = distillation_loss(new, old, mask, classes, 2.0)
    padded = (~mask.bool())[None, :, None, :].expand_as(new)  # (S, B, C, T)
    assert distillation_loss(new.masked_fill(padded, 1e4), old.masked_fill(padded, float("nan")),
                             mask, classes, 2.0).item() == pytest.approx(reference.item(), rel=1e-6)


def test_three_dim_logits_are_one_stage():
    new, old = _logits(2, 4, 5), _logits(2, 4, 5).neg()
    mask, classes = torch.ones(2, 5), torch.tensor([0, 1, 2])
    assert torch.equal(distillation_loss(new, old, mask, classes, 3.0),
                       distillation_loss(new[None], old[None], mask, classes, 3.0))


def test_frozen_copy_after_a_training_forward():
    model = MSTCN(4, 3, stages=2, layers=2, maps=8)
    model(torch.randn(1, 5, 4), torch.ones(1, 5)).sum().backward()
    assert model.last_embedding.grad_fn is not None
    frozen = frozen_copy(model)
    assert not frozen.training and model.training
    assert frozen.last_embedding is None and model.last_embedding is not None
    assert all(not p.requires_grad for p in frozen.parameters())
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), frozen.state_dict().values()))


class _FakeStrategy:
    """The fields DistillationPlugin reads from the template, for one mini-batch."""

    def __init__(self, model, x, y, mask):
        self.model, self.mb_x, self.mb_y, self.mb_mask = model, x, y, mask
        self.mb_output = model(x, mask)
        self.loss = torch.zeros(())


def test_plugin_collects_old_classes_and_distils_only_after_the_first_task():
    torch.manual_seed(0)
    model = MSTCN(4, 5, stages=2, layers=2, maps=8, dropout=0.0)
    x, mask = torch.randn(2, 6, 4), torch.tensor([[1.0] * 6, [1.0] * 4 + [0.0] * 2])
    y = torch.tensor([[0, 0, 3, 3, 3, 3], [3, 3, 0, 0, -100, -100]])
    plugin = DistillationPlugin(alpha=0.5, temperature=2.0)
    first = _FakeStrategy(model, x, y, mask)
    plugin.before_backward(first)
    assert first.loss.item() == 0.0 and plugin.previous_model is None
    model.eval()  # dropout is 0, so train/eval give the same logits
    plugin.after_training_exp(first)
    assert plugin.old_classes.tolist() == [0, 3]

    unchanged = _FakeStrategy(model, x, y, mask)
    plugin.before_backward(unchanged)
    assert unchanged.loss.item() == pytest.approx(0.0, abs=1e-7)

    with torch.no_grad():
        model.stages[-1].conv_out.bias.copy_(torch.tensor([1.0, 0.0, 0.0, -1.0, 0.0]))
    moved = _FakeStrategy(model, x, y, mask)
    plugin.before_backward(moved)
    expected = 0.5 * distillation_loss(moved.mb_output, plugin.previous_model(x, mask), mask,
                                       torch.tensor([0, 3]), 2.0)
    assert moved.loss.item() == pytest.approx(expected.item(), rel=1e-6) and moved.loss.item() > 0


def test_bad_params_raise_data_error():
    ctx = StrategyContext(None, 0, CPU, NUM_CLASSES)
    with pytest.raises(DataError, match="temperature"):
        build_strategy("lwf", ctx, {"temperature": 0})
    with pytest.raises(DataError, match="alpha"):
        build_strategy("lwf", ctx, {"alpha": "high"})
    with pytest.raises(DataError, match="unknown parameter 'lambda'"):
        build_strategy("lwf", ctx, {"lambda": 1.0})


def test_smoke_two_tasks():
    scores, parts = run_two_tasks("lwf", {"alpha": 1.0, "temperature": 2.0})
    assert_scores_in_range(scores, ("",))
    assert parts.plugins[0].old_classes.tolist() == [0, 1, 2, 3]
