"""ER-ACE (Caccia et al., ICLR 2022) for TAS: an EXTENSION, not in P or T.

Experience replay with the asymmetric cross-entropy: on the current task's videos the loss (frame
CE and smoothing of every stage) is computed over the logits of the classes present in the current
videos of the mini-batch only, so new classes are not pushed above old ones that are absent;
replayed videos get the full MS-TCN loss over all classes. Padding frames are excluded from both.
Adapted: the memory is the `original` memory under the run's budget and selection (whole videos,
as every memory here), and replayed videos join the training data instead of being drawn as a
second mini-batch; Avalanche's ER_ACE strategy reads per-sample `targets` for the class set and
has its own sample buffer, neither of which fits per-frame labels.
"""
from __future__ import annotations

import torch

from replay.exemplars import OriginalMemory
from strategies.loss import tas_loss
from strategies.registry import StrategyContext, StrategyParts, register
from strategies.replay_baselines import replayed_rows, rows_tas_loss, split_params
from strategies.replay_plugin import ReplayPlugin
from tasks.torchdata import PAD_LABEL


def asymmetric_loss(logits: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The MS-TCN loss over the classes present in `y` only; logits (S, B, C, T), y (B, T)."""
    present = torch.unique(y[y != PAD_LABEL])
    if present.numel() == 0:
        return logits.new_zeros(())
    position = torch.full((logits.shape[2],), PAD_LABEL, dtype=torch.long, device=y.device)
    position[present] = torch.arange(present.numel(), device=y.device)
    remapped = torch.where(y == PAD_LABEL, PAD_LABEL, position[y.clamp_min(0)])
    return tas_loss(logits.index_select(2, present), remapped, mask)


class ACEPlugin(ReplayPlugin):
    def before_backward(self, strategy, **kwargs) -> None:
        rows = replayed_rows(strategy.mbatch["video"], strategy.device)
        out, y, mask = strategy.mb_output, strategy.mb_y, strategy.mb_mask
        current = ~rows
        loss = asymmetric_loss(out[:, current], y[current], mask[current]) if bool(current.any()) else out.new_zeros(())
        strategy.loss = loss + rows_tas_loss(out, y, mask, rows)


@register("er_ace", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: the memory's selection, gamma, seed."""
    _, memory_params = split_params("er_ace", ctx, params, ())
    memory = OriginalMemory(ctx.budget, **memory_params)
    plugin = ACEPlugin(memory, ctx.train_videos, ctx.num_classes, ctx.seed, ctx.progress, None, ctx.precision)
    return StrategyParts(plugins=[plugin], memory=memory)
