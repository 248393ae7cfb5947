"""What the replay-based baselines (DER++, ER-ACE, A-GEM, GDumb, BiC) share: their parameters split
into the memory's (selection, gamma, seed, as every replay memory takes them) and their own, and
losses over mini-batches that mix the current task's videos with replayed ones. A replayed video is
recognised by its name, 'replay:<task>:<name>' (replay.stored.replay_name)."""
from __future__ import annotations

import torch

from strategies.loss import tas_loss
from strategies.registry import StrategyContext, reject_params
from tasks.errors import DataError

REPLAY_PREFIX = "replay:"
# The selection keys every replay memory takes; not `original`'s noise ablation, which the baselines'
# losses were not designed around.
MEMORY_KEYS = ("selection", "gamma", "seed")


def split_params(strategy: str, ctx: StrategyContext, params: dict, own: tuple[str, ...]) -> tuple[dict, dict]:
    """(own params, memory params); DataError on an unknown key or a run without a budget."""
    reject_params(strategy, params, (*own, *MEMORY_KEYS))
    if ctx.budget is None:
        raise DataError(f"strategies.{strategy}: needs a replay budget (budgets: [{{videos: N}}] or [{{bytes: ...}}])")
    return ({k: v for k, v in params.items() if k in own}, {k: v for k, v in params.items() if k in MEMORY_KEYS})


def replayed_rows(names: list[str], device: torch.device) -> torch.Tensor:
    """(B,) bool: which rows of the mini-batch are replayed videos."""
    return torch.tensor([name.startswith(REPLAY_PREFIX) for name in names], dtype=torch.bool, device=device)


def rows_tas_loss(logits: torch.Tensor, y: torch.Tensor, mask: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """The MS-TCN loss over the selected rows only (0 when none is selected); logits (S, B, C, T)."""
    if not bool(rows.any()):
        return logits.new_zeros(())
    return tas_loss(logits[:, rows], y[rows], mask[rows])
