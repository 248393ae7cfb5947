"""Memories by name, as configs and the strategy registry refer to them."""
from __future__ import annotations

import inspect
from collections.abc import Mapping

from replay.budget import Budget
from replay.exemplars import CoresetMemory, MeanMemory, OriginalMemory
from replay.generative import GenerativeMemory
from replay.latent import CondensedMemory, EncodedMemory
from replay.memory import Memory
from tasks.errors import DataError

MEMORIES: dict[str, type] = {
    "original": OriginalMemory,
    "mean": MeanMemory,
    "coreset": CoresetMemory,
    "tca": GenerativeMemory,
    "encoded": EncodedMemory,
    "condensed": CondensedMemory,
}


def memory_params(name: str) -> tuple[str, ...]:
    """The keyword parameters memory `name` accepts besides its budget: its own, then those its
    `**params` pass on to base classes (so a subclass lists only what it adds)."""
    if name not in MEMORIES:
        raise DataError(f"memory: unknown memory {name!r} (known: {', '.join(sorted(MEMORIES))})")
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names: list[str] = []
    for klass in MEMORIES[name].__mro__:
        if "__init__" not in vars(klass):
            continue
        parameters = list(inspect.signature(klass.__init__).parameters.values())
        names += [item.name for item in parameters
                  if item.kind in keyword and item.name not in ("self", "budget", *names)]
        if not any(item.kind is inspect.Parameter.VAR_KEYWORD for item in parameters):
            break
    return tuple(names)


def make_memory(name: str, budget: Budget | Mapping, **params: object) -> Memory:
    """Build memory `name` on `budget` (a Budget or its config mapping); DataError on unknown params."""
    allowed = memory_params(name)
    for key in params:
        if key not in allowed:
            raise DataError(f"memory {name}: unknown parameter {key!r} (allowed: {', '.join(allowed)})")
    return MEMORIES[name](Budget.parse(budget), **params)
