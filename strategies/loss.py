"""The MS-TCN training loss: Σ over stages of frame CE + λ·T-MSE smoothing (τ = 4 → clamp 16)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from tasks.torchdata import PAD_LABEL

SMOOTHING_WEIGHT = 0.15
SMOOTHING_CLAMP = 16.0


def smoothing_loss(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Truncated MSE between adjacent frames' log-probabilities; (B, C, T) logits, (B, T) mask.

    The previous frame is detached as in the reference, so the penalty only pulls frame t towards t-1.
    """
    if logits.shape[-1] < 2:
        return logits.new_zeros(())
    logp = F.log_softmax(logits, dim=1)
    mse = F.mse_loss(logp[:, :, 1:], logp.detach()[:, :, :-1], reduction="none")
    pair_mask = (mask[:, 1:] * mask[:, :-1]).unsqueeze(1)
    return (torch.clamp(mse, 0, SMOOTHING_CLAMP) * pair_mask).sum() / (
        pair_mask.sum() * logits.shape[1]
    ).clamp_min(1.0)


def tas_loss(logits: torch.Tensor, y: torch.Tensor, mask: torch.Tensor,
             smoothing_weight: float = SMOOTHING_WEIGHT) -> torch.Tensor:
    """logits (S, B, C, T), y (B, T) padded with PAD_LABEL, mask (B, T)."""
    total = logits.new_zeros(())
    for stage in logits:
        total = total + F.cross_entropy(stage, y, ignore_index=PAD_LABEL)
        total = total + smoothing_weight * smoothing_loss(stage, mask)
    return total
