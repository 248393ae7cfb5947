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
    """The keyword parameters memory `name` accepts besides its budget."""
    if name not in MEMORIES:
        raise DataError(f"memory: unknown memory {name!r} (known: {', '.join(sorted(MEMORIES))})")
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    parameters = inspect.signature(MEMORIES[name]).parameters.values()
    return tuple(item.name for item in parameters if item.kind in keyword and item.name != "budget")


def make_memory(name: str, budget: Budget | Mapping, **params: object) -> Memory:
    """Build memory `name` on `budget` (a Budget or its config mapping); DataError on unknown params."""
    allowed = memory_params(name)
    for key in params:
        if key not in allowed:
            raise DataError(f"memory {name}: unknown parameter {key!r} (allowed: {', '.join(allowed)})")
    return MEMORIES[name](Budget.parse(budget), **params)
