"""Online EWC (Kirkpatrick et al., PNAS 2017; online form of Schwarz et al., ICML 2018) on per-frame
outputs: an EXTENSION, not in P or T.

After each task the diagonal empirical Fisher of its training videos is estimated as in Avalanche's
EWCPlugin (per mini-batch: squared gradient of the loss, averaged over mini-batches), with two
changes for segmentation: the model gets the padding mask, and the loss is the frame cross-entropy
of every stage over valid frames only (padding frames carry PAD_LABEL and are ignored), so padding
never enters the estimate. The model is in eval mode (no dropout noise in the estimate).
Online: F ← decay · F + F_task, anchor θ* ← θ after the task; the loss gains λ · Σ F (θ − θ*)²
(Avalanche's scaling, no ½). Why not Avalanche's plugin: see strategies/regularizers.py.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from strategies.params import number_param
from strategies.registry import StrategyContext, StrategyParts, register, reject_params
from strategies.regularizers import ParameterRegularizer, named_parameters, task_batches
from tasks.torchdata import PAD_LABEL


def frame_nll(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Σ over stages of the mean cross-entropy over valid frames; logits (S, B, C, T), y (B, T)."""
    return sum(F.cross_entropy(stage, y, ignore_index=PAD_LABEL) for stage in logits)


class EWCPlugin(ParameterRegularizer):
    name = "ewc"

    def __init__(self, strength: float, decay: float, budget, parameter_count: int):
        super().__init__(strength, budget, parameter_count)
        self.decay = decay

    def task_importance(self, strategy) -> dict[str, torch.Tensor]:
        model = strategy.model
        was_training = model.training
        model.eval()
        fisher = {name: torch.zeros_like(p) for name, p in named_parameters(model)}
        batches = 0
        for batch in task_batches(strategy):
            model.zero_grad()
            x, y, mask = (batch[k].to(strategy.device) for k in ("x", "y", "mask"))
            frame_nll(model(x, mask).float(), y).backward()
            for name, p in named_parameters(model):
                if p.grad is not None:
                    fisher[name] += p.grad.detach().square()
            batches += 1
        model.zero_grad()
        model.train(was_training)
        return {name: value / max(batches, 1) for name, value in fisher.items()}

    def combine(self, old, new):
        return {name: self.decay * old[name] + value if name in old else value for name, value in new.items()}


@register("ewc", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: lambda (penalty weight, 1000), decay (online Fisher decay in [0, 1], 1.0)."""
    reject_params("ewc", params, ("lambda", "decay"))
    plugin = EWCPlugin(number_param("ewc", params, "lambda", 1000.0),
                       number_param("ewc", params, "decay", 1.0, upper=1.0), ctx.budget, ctx.parameter_count)
    return StrategyParts(plugins=[plugin], memory=plugin)
