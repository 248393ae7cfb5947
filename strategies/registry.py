"""Name-keyed strategy registry (Mammoth style): each strategy is one short module that registers a
builder turning (context, params) into the plugins it adds to the TAS template."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from replay.budget import Budget
from replay.memory import Memory
from tasks.errors import DataError


@dataclass
class StrategyContext:
    """What a strategy builder may use: the run's budget (None for memoryless strategies), seed,
    device, label-space size, every task's training videos, whether to draw progress bars, the
    folder where replay memories share trained TCAs (None: each trains its own) and the backbone's
    parameter count (what EWC, SI and MAS keep per parameter is known before training)."""

    budget: Budget | None
    seed: int
    device: torch.device
    num_classes: int
    train_videos: list = field(default_factory=list)  # per task: its training videos
    progress: bool = False
    tca_cache: Path | None = None
    precision: str = "fp32"  # train.precision, passed on to memories
    parameter_count: int = 0  # float parameters of the backbone: the size of a regulariser's arrays


@dataclass
class StrategyParts:
    plugins: list = field(default_factory=list)
    memory: Memory | None = None


Builder = Callable[[StrategyContext, dict], StrategyParts]
STRATEGIES: dict[str, Builder] = {}
USES_MEMORY: set[str] = set()


def register(name: str, uses_memory: bool = False) -> Callable[[Builder], Builder]:
    def wrap(builder: Builder) -> Builder:
        STRATEGIES[name] = builder
        if uses_memory:
            USES_MEMORY.add(name)
        return builder

    return wrap


def build_strategy(name: str, ctx: StrategyContext, params: dict) -> StrategyParts:
    if name not in STRATEGIES:
        raise DataError(f"strategies: unknown strategy '{name}' (known: {', '.join(sorted(STRATEGIES))})")
    return STRATEGIES[name](ctx, dict(params))


def reject_params(name: str, params: dict, allowed: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        allowed_text = ", ".join(allowed) if allowed else "none"
        raise DataError(f"strategies.{name}: unknown parameter '{unknown[0]}' (allowed: {allowed_text})")
