"""LwF for TAS (Li & Hoiem, ECCV 2016): distil the previous model's old-class logits per frame.

An EXTENSION: neither P (Ding et al. 2025) nor T (Ding et al. 2024) runs LwF; T only cites it
as related work. Avalanche's `LwFPlugin` cannot be used: it needs a classification dataset's
`task_set`, distils over per-sample `targets` and calls the old model without the padding mask.

After each task a frozen copy of the model is kept. While later tasks train, the loss gains

    alpha · T² · Σ_stages  mean over valid frames of  KL( softmax(old/T) ‖ softmax(new/T) )

with the softmax taken over the OLD classes only (classes seen in earlier tasks' training labels,
collected from the mini-batches), `old` the frozen copy's logits for the same mini-batch and mask.
- All stages are distilled, not only the last: the MS-TCN loss trains every stage and each later
  stage refines the softmax of the one before, so a free first stage would feed the refiners
  drifted inputs. Stages are summed, like the stage CE terms of `tas_loss`.
- KL rather than soft cross-entropy, so the term is exactly zero while the model equals its copy.
- T² keeps gradient magnitudes independent of the temperature (Hinton et al. 2015).
- Padded frames are excluded before averaging, whatever their logits hold.
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from avalanche.core import SupervisedPlugin

from strategies.params import number_param
from strategies.registry import StrategyContext, StrategyParts, register, reject_params
from tasks.errors import DataError
from tasks.torchdata import PAD_LABEL

DISTILLATION_PARAMS = ("alpha", "temperature")


def distillation_loss(logits: torch.Tensor, old_logits: torch.Tensor, mask: torch.Tensor,
                      classes: torch.Tensor, temperature: float) -> torch.Tensor:
    """T²·Σ_stages masked-mean KL(old ‖ new) over `classes`.

    logits, old_logits: (S, B, C, T) or (B, C, T); mask (B, T) with 1 on valid frames;
    classes: (K,) long ids of the distilled classes. Returns a scalar.
    """
    if logits.dim() == 3:
        logits, old_logits = logits.unsqueeze(0), old_logits.unsqueeze(0)
    log_new = F.log_softmax(logits.index_select(2, classes) / temperature, dim=2)
    log_old = F.log_softmax(old_logits.index_select(2, classes) / temperature, dim=2)
    per_frame = F.kl_div(log_new, log_old, reduction="none", log_target=True).sum(dim=2)  # (S, B, T)
    valid = mask.bool().unsqueeze(0)
    # where(), not a product: a padded frame's KL may be inf/NaN and 0·NaN would leak into the sum.
    per_stage = torch.where(valid, per_frame, 0.0).sum(dim=(1, 2)) / valid.sum().clamp_min(1)
    return temperature**2 * per_stage.sum()


def frozen_copy(model: torch.nn.Module) -> torch.nn.Module:
    """A deep copy in eval mode with gradients off.

    A training forward leaves graph-attached tensors on the model (MS-TCN's `last_embedding`),
    which deepcopy refuses; the copy starts with None there instead.
    """
    transient = {
        id(value): None
        for module in model.modules()
        for value in vars(module).values()
        if torch.is_tensor(value) and value.grad_fn is not None
    }
    frozen = copy.deepcopy(model, memo=transient)
    frozen.eval()
    frozen.requires_grad_(False)
    return frozen


class DistillationPlugin(SupervisedPlugin):
    """Adds the LwF term to `strategy.loss` before each backward, from the second task on."""

    def __init__(self, alpha: float = 1.0, temperature: float = 2.0):
        super().__init__()
        self.alpha = alpha
        self.temperature = temperature
        self.previous_model: torch.nn.Module | None = None
        self.old_classes: torch.Tensor | None = None  # (K,) long, on the strategy's device
        self._seen: torch.Tensor | None = None  # (C,) bool: classes met in training labels so far

    def before_backward(self, strategy, **kwargs) -> None:
        y = strategy.mb_y
        if self._seen is None:
            self._seen = torch.zeros(strategy.mb_output.shape[2], dtype=torch.bool, device=y.device)
        # Indexed assignment keeps this on the device: no per-batch host sync for the class set.
        self._seen[y[y != PAD_LABEL]] = True
        if self.previous_model is None or self.old_classes.numel() == 0:
            return
        with torch.no_grad():
            old_logits = self.previous_model(strategy.mb_x, strategy.mb_mask)
        strategy.loss += self.alpha * distillation_loss(
            strategy.mb_output, old_logits, strategy.mb_mask, self.old_classes, self.temperature
        )

    def after_training_exp(self, strategy, **kwargs) -> None:
        self.previous_model = frozen_copy(strategy.model)
        if self._seen is None:  # a task trained without a single mini-batch saw no classes
            self.old_classes = torch.zeros(0, dtype=torch.long, device=strategy.device)
        else:
            self.old_classes = self._seen.nonzero().squeeze(1)


def distillation_params(strategy: str, params: dict) -> tuple[float, float]:
    """(alpha, temperature) from a strategy's params, DataError on bad values."""
    return (number_param(strategy, params, "alpha", 1.0),
            number_param(strategy, params, "temperature", 2.0, allow_zero=False))


@register("lwf")
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    reject_params("lwf", params, DISTILLATION_PARAMS)
    alpha, temperature = distillation_params("lwf", params)
    return StrategyParts(plugins=[DistillationPlugin(alpha, temperature)])
