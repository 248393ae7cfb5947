"""EWC, SI and MAS: the penalty, each importance against a hand computation, the bytes they keep
and the refusals (unknown or negative parameters, a byte budget smaller than their arrays)."""
from types import SimpleNamespace

import pytest
import torch
from strategy_smoke import CPU, NUM_CLASSES, assert_plain_state, assert_scores_in_range, run_two_tasks

from replay.budget import Budget
from strategies.ewc import EWCPlugin
from strategies.mas import MASPlugin, output_sensitivity
from strategies.registry import StrategyContext, build_strategy
from strategies.si import SIPlugin
from tasks.errors import DataError

# The smoke model MSTCN(6, 4, stages=2, layers=2, maps=8), by hand: stage 1 = conv_in 6·8+8 = 56,
# two layers of (3·8·8+8) + (8·8+8) = 272 each, conv_out 8·4+4 = 36 → 636; stage 2 reads the 4
# class scores: 4·8+8 = 40 + 544 + 36 = 620. 1256 parameters, two float32 arrays: 10,048 bytes.
SMOKE_PARAMETERS = 1256
SMOKE_BYTES = 2 * SMOKE_PARAMETERS * 4


class Linear(torch.nn.Module):
    """One stage, logits = W x per frame, masked: a model whose gradients are worked out by hand."""

    def __init__(self, weight):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(weight))

    def forward(self, x, mask):
        return ((x @ self.weight.T) * mask.unsqueeze(2)).transpose(1, 2).unsqueeze(0)


def test_ewc_penalty_is_zero_at_the_anchor_and_quadratic_in_the_weighted_shift():
    model = Linear([[1.0, 2.0], [3.0, 4.0]])
    plugin = EWCPlugin(2.0, 1.0, None, 4)
    plugin.importance = {"weight": torch.tensor([[1.0, 0.0], [0.5, 2.0]])}
    plugin.anchor = {"weight": model.weight.detach().clone()}
    assert plugin.penalty(model).item() == 0.0
    with torch.no_grad():
        model.weight += torch.tensor([[0.3, 5.0], [-0.2, 0.1]])  # 5.0 moves a weight of importance 0
    # Σ Ω Δ² = 1·0.09 + 0 + 0.5·0.04 + 2·0.01 = 0.13
    assert plugin.penalty(model).item() == pytest.approx(0.13, rel=1e-6)
    with torch.no_grad():
        model.weight += torch.tensor([[0.3, 0.0], [-0.2, 0.1]])  # the weighted shift doubled
    assert plugin.penalty(model).item() == pytest.approx(4 * 0.13, rel=1e-6)
    loss = SimpleNamespace(loss=torch.tensor(1.0), model=model)
    plugin.before_backward(loss)
    assert loss.loss.item() == pytest.approx(1.0 + 2.0 * 0.52, rel=1e-6)  # λ = 2


def _strategy(model, videos_x, videos_y, mask, task=0):
    """What the regularisers read from the template after a task: one mini-batch of the task."""
    experience = SimpleNamespace(current_experience=task, dataset=_OneBatch({"x": videos_x, "y": videos_y, "mask": mask}))
    return SimpleNamespace(model=model, device=CPU, train_mb_size=8, experience=experience)


class _OneBatch(torch.utils.data.Dataset):
    def __init__(self, batch):
        self.batch = batch

    def __len__(self):
        return 1

    def __getitem__(self, i):
        return self.batch

    @staticmethod
    def collate_fn(items):
        return items[0]


def test_ewc_fisher_is_the_squared_masked_gradient_and_decays_online():
    model = Linear([[0.0, 0.0], [0.0, 0.0]])
    x = torch.tensor([[[1.0, 2.0], [7.0, 7.0]]])  # frame 2 is padding: its features must not count
    y, mask = torch.tensor([[0, -100]]), torch.tensor([[1.0, 0.0]])
    plugin = EWCPlugin(1.0, 0.5, None, 4)
    plugin.after_training_exp(_strategy(model, x, y, mask))
    # logits 0 → p = (½, ½); ∂CE/∂W = (p − e_y) xᵀ = [[-½·1, -½·2], [½·1, ½·2]]; squared:
    expected = torch.tensor([[0.25, 1.0], [0.25, 1.0]])
    torch.testing.assert_close(plugin.importance["weight"], expected)
    plugin.after_training_exp(_strategy(model, x, y, mask, task=1))
    torch.testing.assert_close(plugin.importance["weight"], 0.5 * expected + expected)  # F ← decay·F + F_task
    assert plugin.nbytes_by_task() == {1: {"features": 0, "codes": 0, "transcripts": 0, "decoders": 0, "noise": 0,
                                           "other": 2 * 4 * 4}}


def test_mas_importance_is_the_gradient_of_the_masked_output_norm():
    model = Linear([[1.0, 0.0], [1.0, 1.0]])
    x = torch.tensor([[[1.0, 2.0], [9.0, 9.0]]])
    mask = torch.tensor([[1.0, 0.0]])
    assert output_sensitivity(model(x, mask)[-1], mask).item() == pytest.approx(1 + 9)  # ‖(1, 3)‖², padding out
    plugin = MASPlugin(1.0, 0.5, None, 4)
    plugin.after_training_exp(_strategy(model, x, torch.tensor([[0, -100]]), mask))
    # ∂‖Wx‖²/∂W = 2 (Wx) xᵀ = 2 [[1], [3]] [1, 2]
    torch.testing.assert_close(plugin.importance["weight"], torch.tensor([[2.0, 4.0], [6.0, 12.0]]))
    plugin.after_training_exp(_strategy(model, x, torch.tensor([[0, -100]]), mask, task=1))
    torch.testing.assert_close(plugin.importance["weight"], torch.tensor([[2.0, 4.0], [6.0, 12.0]]))  # α·Ω + (1−α)·Ω


def test_si_importance_is_the_path_integral_over_the_squared_distance():
    model = Linear([[1.0, 2.0]])
    plugin = SIPlugin(1.0, 0.1, None, 2)
    strategy = SimpleNamespace(model=model, experience=SimpleNamespace(current_experience=0))
    plugin.before_training_exp(strategy)
    for gradient in ([1.0, 0.0], [2.0, 0.0]):  # two SGD steps (lr 0.5) on the first weight only
        model.weight.grad = torch.tensor([gradient])
        plugin.before_update(strategy)
        with torch.no_grad():
            model.weight -= 0.5 * model.weight.grad
        plugin.after_update(strategy)
    plugin.after_training_exp(strategy)
    # ω = Σ g·η·g = 0.5·1 + 0.5·4 = 2.5; Δ = −1.5 → Ω = 2.5 / (2.25 + 0.1); the unmoved weight gets 0
    torch.testing.assert_close(plugin.importance["weight"], torch.tensor([[2.5 / 2.35, 0.0]]))
    torch.testing.assert_close(plugin.anchor["weight"], torch.tensor([[-0.5, 2.0]]))
    assert plugin.path == {} and plugin.start == {}  # per-task buffers are not kept between tasks


@pytest.mark.parametrize("name", ["ewc", "si", "mas"])
def test_smoke_two_tasks_and_bytes_by_hand(name):
    scores, parts = run_two_tasks(name, {}, Budget(bytes=SMOKE_BYTES))
    assert_scores_in_range(scores, ("",))
    plugin = parts.plugins[0]
    assert parts.memory is plugin and sum(plugin.nbytes().values()) == plugin.nbytes()["other"] == SMOKE_BYTES
    assert set(plugin.anchor) == set(plugin.importance) and len(plugin.anchor) == 24  # weight, bias of 12 Linears
    assert all(bool((value >= 0).all()) for value in plugin.importance.values())
    assert_plain_state(plugin)


@pytest.mark.parametrize("name, params, message", [
    ("ewc", {"lambda": -1}, "strategies.ewc: parameter 'lambda' must be a number >= 0, got -1"),
    ("ewc", {"decay": 1.5}, "strategies.ewc: parameter 'decay' must be a number in [0, 1], got 1.5"),
    ("si", {"lambda": -0.1}, "strategies.si: parameter 'lambda' must be a number >= 0, got -0.1"),
    ("mas", {"lamda": 1}, "strategies.mas: unknown parameter 'lamda' (allowed: lambda, alpha)"),
])
def test_bad_params_are_one_line_errors(name, params, message):
    with pytest.raises(DataError) as err:
        build_strategy(name, StrategyContext(Budget(videos=2), 0, CPU, NUM_CLASSES, parameter_count=10), params)
    assert str(err.value) == message


def test_a_byte_budget_below_the_two_arrays_is_refused_before_training():
    ctx = StrategyContext(Budget(bytes=SMOKE_BYTES - 1), 0, CPU, NUM_CLASSES, parameter_count=SMOKE_PARAMETERS)
    memory = build_strategy("ewc", ctx, {}).memory
    with pytest.raises(DataError, match=r"^budget bytes=10047B cannot hold ewc's importance and anchor arrays "
                                        r"\(2 x 1256 parameters x 4 B = 10.0 KB\)$"):
        memory.check_feasible([[]])
    build_strategy("ewc", StrategyContext(Budget(videos=1), 0, CPU, NUM_CLASSES, parameter_count=10**9), {}) \
        .memory.check_feasible([[]])  # a video budget sets no byte limit
