"""Synaptic Intelligence (Zenke, Poole, Ganguli, ICML 2017) on per-frame outputs: an EXTENSION,
not in P or T.

Along each task's training trajectory every parameter accumulates its path integral
ω ← ω − g · Δθ over optimizer steps (g: its gradient of the training loss, which only ever sees
valid frames: the template's loss masks padding; Δθ: the step's update). After the task
Ω ← Ω + ω / ((θ_end − θ_start)² + ξ), the anchor θ* ← θ_end, and the loss gains λ · Σ Ω (θ − θ*)².
As in Avalanche's SynapticIntelligencePlugin, g is the gradient of the whole loss (penalty
included). Why not Avalanche's plugin: see strategies/regularizers.py. The per-task buffers (θ at
the task start and before the step, g, ω) live only while a task trains and are not kept between
tasks, so only Ω and θ* count in bytes.
"""
from __future__ import annotations

import torch

from strategies.params import number_param
from strategies.registry import StrategyContext, StrategyParts, register, reject_params
from strategies.regularizers import ParameterRegularizer, named_parameters


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in named_parameters(model)}


class SIPlugin(ParameterRegularizer):
    name = "si"

    def __init__(self, strength: float, xi: float, budget, parameter_count: int):
        super().__init__(strength, budget, parameter_count)
        self.xi = xi
        self.start: dict[str, torch.Tensor] = {}
        self.previous: dict[str, torch.Tensor] = {}
        self.gradient: dict[str, torch.Tensor] = {}
        self.path: dict[str, torch.Tensor] = {}  # ω

    def before_training_exp(self, strategy, **kwargs) -> None:
        self.start = _snapshot(strategy.model)
        self.path = {name: torch.zeros_like(p) for name, p in self.start.items()}

    def before_update(self, strategy, **kwargs) -> None:
        self.previous = _snapshot(strategy.model)
        self.gradient = {name: p.grad.detach().clone() for name, p in named_parameters(strategy.model)
                         if p.grad is not None}

    def after_update(self, strategy, **kwargs) -> None:
        for name, p in named_parameters(strategy.model):
            if name in self.gradient:
                self.path[name] -= self.gradient[name] * (p.detach() - self.previous[name])

    def task_importance(self, strategy) -> dict[str, torch.Tensor]:
        end = _snapshot(strategy.model)
        importance = {name: self.path[name] / ((end[name] - self.start[name]).square() + self.xi) for name in end}
        self.start, self.previous, self.gradient, self.path = {}, {}, {}, {}
        return importance


@register("si", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: lambda (c, penalty weight, 1.0), xi (damping ξ, 0.001; Zenke et al.'s split MNIST)."""
    reject_params("si", params, ("lambda", "xi"))
    plugin = SIPlugin(number_param("si", params, "lambda", 1.0), number_param("si", params, "xi", 1e-3, allow_zero=False),
                      ctx.budget, ctx.parameter_count)
    return StrategyParts(plugins=[plugin], memory=plugin)
