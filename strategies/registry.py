"""Name-keyed strategy registry (Mammoth style): each strategy is one short module that registers a
builder turning (context, params) into the plugins it adds to the TAS template.

A name the registry does not hold is looked up outside itas (tasks.plugins): an entry point of the
group `itas.strategies` (a builder) or `itas.memories` (a memory class, run as a replay strategy like
the built-in memories), or a dotted path `package.module:object` to either.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from replay.budget import Budget
from replay.memory import Memory
from replay.registry import GROUP as MEMORY_GROUP
from replay.registry import build_memory, check_memory_class
from strategies.replay_plugin import ReplayPlugin
from tasks.errors import DataError
from tasks.plugins import Plugin, check_signature, find_plugin, installed

GROUP = "itas.strategies"


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
"""A strategy: `build(ctx, params) -> StrategyParts`, params being the config entry's `params`
mapping (reject unknown keys with `reject_params`). An outside builder with a true `uses_memory`
attribute runs once per budget, with `ctx.budget` set; otherwise once, with `ctx.budget` None."""
STRATEGIES: dict[str, Builder] = {}


def register(name: str, uses_memory: bool = False) -> Callable[[Builder], Builder]:
    def wrap(builder: Builder) -> Builder:
        builder.uses_memory = uses_memory
        STRATEGIES[name] = builder
        return builder

    return wrap


def replay_builder(memory: type, name: str) -> Builder:
    """The replay strategy over memory class `memory`, called `name` (a ReplayPlugin under the run's budget)."""
    def build(ctx: StrategyContext, params: dict) -> StrategyParts:
        made = build_memory(memory, name, ctx.budget, seed=ctx.seed, **params)
        plugin = ReplayPlugin(made, ctx.train_videos, ctx.num_classes, ctx.seed, ctx.progress, ctx.tca_cache,
                              ctx.precision)
        return StrategyParts(plugins=[plugin], memory=made)

    build.uses_memory = True
    return build


def outside_strategy(plugin: Plugin) -> Builder:
    """A builder from outside: a memory class becomes its replay strategy, a function is the builder."""
    if isinstance(plugin.obj, type):
        return replay_builder(check_memory_class(plugin), plugin.name)
    if not callable(plugin.obj):
        raise plugin.error(f"expected a strategy builder or a memory class, got {type(plugin.obj).__name__}")
    check_signature(plugin, plugin.obj, getattr(plugin.obj, "__name__", "builder"), ("ctx", "params"))

    def build(ctx: StrategyContext, params: dict) -> StrategyParts:
        parts = plugin.obj(ctx, params)
        if not isinstance(parts, StrategyParts):
            raise plugin.error(f"returned {type(parts).__name__}, expected strategies.registry.StrategyParts")
        return parts

    build.uses_memory = bool(getattr(plugin.obj, "uses_memory", False))
    return build


def strategy_builder(name: str) -> Builder:
    """The builder of strategy `name`: registered here, else from outside itas."""
    if name in STRATEGIES:
        return STRATEGIES[name]
    plugin = find_plugin(GROUP, name)
    if plugin is None and (memory := find_plugin(MEMORY_GROUP, name)) is not None:
        return replay_builder(check_memory_class(memory), memory.name)  # an itas.memories entry point is a class
    if plugin is None:
        known = sorted({*STRATEGIES, *installed(GROUP), *installed(MEMORY_GROUP)})
        raise DataError(f"strategies: unknown strategy '{name}' (known: {', '.join(known)})")
    return outside_strategy(plugin)


def uses_memory(name: str) -> bool:
    """Whether strategy `name` keeps a memory, so that it runs once per budget."""
    return bool(getattr(strategy_builder(name), "uses_memory", False))


def build_strategy(name: str, ctx: StrategyContext, params: dict) -> StrategyParts:
    return strategy_builder(name)(ctx, dict(params))


def reject_params(name: str, params: dict, allowed: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        allowed_text = ", ".join(allowed) if allowed else "none"
        raise DataError(f"strategies.{name}: unknown parameter '{unknown[0]}' (allowed: {allowed_text})")
