"""Memory Aware Synapses (Aljundi et al., ECCV 2018) on per-frame outputs: an EXTENSION, not in P
or T.

After each task, Ω_task = mean over mini-batches of |∂/∂θ  mean over valid frames of ‖f(x)_t‖²|,
f the last stage's logits: MAS's sensitivity of the squared L2 norm of the output, per frame, with
padding frames excluded from the mean (Avalanche's MASPlugin takes the norm of `model(x)` over a
classification output, without a mask). The model is in eval mode. As in Avalanche,
Ω ← α · Ω + (1 − α) · Ω_task, the anchor θ* ← θ, and the loss gains λ · Σ Ω (θ − θ*)².
Why not Avalanche's plugin: see strategies/regularizers.py.
"""
from __future__ import annotations

import torch

from strategies.params import number_param
from strategies.registry import StrategyContext, StrategyParts, register, reject_params
from strategies.regularizers import ParameterRegularizer, named_parameters, task_batches


def output_sensitivity(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over valid frames of the squared L2 norm of the frame's logits; (B, C, T), (B, T)."""
    per_frame = logits.square().sum(dim=1)
    valid = mask.bool()
    return torch.where(valid, per_frame, 0.0).sum() / valid.sum().clamp_min(1)


class MASPlugin(ParameterRegularizer):
    name = "mas"

    def __init__(self, strength: float, alpha: float, budget, parameter_count: int):
        super().__init__(strength, budget, parameter_count)
        self.alpha = alpha

    def task_importance(self, strategy) -> dict[str, torch.Tensor]:
        model = strategy.model
        was_training = model.training
        model.eval()
        importance = {name: torch.zeros_like(p) for name, p in named_parameters(model)}
        batches = 0
        for batch in task_batches(strategy):
            model.zero_grad()
            x, mask = batch["x"].to(strategy.device), batch["mask"].to(strategy.device)
            output_sensitivity(model(x, mask).float()[-1], mask).backward()
            for name, p in named_parameters(model):
                if p.grad is not None:
                    importance[name] += p.grad.detach().abs()
            batches += 1
        model.zero_grad()
        model.train(was_training)
        return {name: value / max(batches, 1) for name, value in importance.items()}

    def combine(self, old, new):
        if not old:
            return new
        return {name: self.alpha * old[name] + (1 - self.alpha) * value for name, value in new.items()}


@register("mas", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: lambda (penalty weight, 1.0), alpha (weight of the running importance, 0.5; Avalanche's)."""
    reject_params("mas", params, ("lambda", "alpha"))
    plugin = MASPlugin(number_param("mas", params, "lambda", 1.0), number_param("mas", params, "alpha", 0.5, upper=1.0),
                       ctx.budget, ctx.parameter_count)
    return StrategyParts(plugins=[plugin], memory=plugin)
