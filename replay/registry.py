"""Memories by name, as configs and the strategy registry refer to them: the built-in ones below, an
entry point of the group `itas.memories`, or a dotted path `package.module:MemoryClass`.

An outside memory class is checked when it is found (`check_memory_class`): every method of the
`replay.memory.Memory` contract present and callable as itas calls it, a constructor taking the budget
and a `seed` keyword, and, for a `replay.stored.SelectedVideoMemory` subclass, no abstract hook left
and every hook callable as the base class calls it.
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping

from replay.budget import Budget
from replay.exemplars import CoresetMemory, MeanMemory, OriginalMemory
from replay.generative import GenerativeMemory
from replay.latent import CondensedMemory, EncodedMemory
from replay.memory import Memory
from replay.stored import SelectedVideoMemory
from tasks.errors import DataError
from tasks.plugins import Plugin, check_signature, required_plugin

GROUP = "itas.memories"

MEMORIES: dict[str, type] = {
    "original": OriginalMemory,
    "mean": MeanMemory,
    "coreset": CoresetMemory,
    "tca": GenerativeMemory,
    "encoded": EncodedMemory,
    "condensed": CondensedMemory,
}

# What itas calls on a memory, with the arguments it passes (after self).
MEMORY_METHODS = {
    "add_task": ("task", "videos", "ctx"),
    "replay": ("device",),
    "nbytes": (),
    "nbytes_by_task": (),
    "stored": (),
    "check_feasible": ("task_videos", "ctx"),
}
# What SelectedVideoMemory calls on a subclass.
SELECTED_VIDEO_HOOKS = {
    "video_cost": ("video",),
    "task_fixed_cost": ("task", "videos", "ctx"),
    "prepare_task": ("task", "videos", "ctx"),
    "encode": ("task", "videos", "state", "ctx"),
    "finish_cost": ("task", "videos", "ctx"),
    "finish_task": ("task", "videos", "kept", "records", "state", "ctx"),
    "decode": ("task", "records", "state", "device"),
}


def memory_class(name: str) -> type:
    """The class of memory `name`: built in, an `itas.memories` entry point or a dotted path."""
    if name in MEMORIES:
        return MEMORIES[name]
    return check_memory_class(required_plugin(GROUP, name, 'memory', MEMORIES))


def check_memory_class(plugin: Plugin) -> type:
    """`plugin.obj` if it is a memory class itas can use; else DataError naming what is missing."""
    klass = plugin.obj
    if not inspect.isclass(klass):
        raise plugin.error(f"expected a memory class, got {type(klass).__name__}")
    if getattr(klass, "_is_protocol", False):
        raise plugin.error(f"{klass.__name__} is a protocol; expected a class implementing it")
    missing = [method for method in MEMORY_METHODS if not callable(getattr(klass, method, None))]
    if missing:
        raise plugin.error(f"{klass.__name__} lacks {', '.join(missing)} (the replay.memory.Memory contract; "
                           "subclass replay.stored.SelectedVideoMemory to inherit them)")
    abstract = sorted(getattr(klass, "__abstractmethods__", ()))
    if abstract:
        raise plugin.error(f"{klass.__name__} does not implement {', '.join(abstract)}")
    check_signature(plugin, klass, klass.__name__, ("budget",), ("seed",))
    hooks = SELECTED_VIDEO_HOOKS if issubclass(klass, SelectedVideoMemory) else {}
    for method, arguments in {**MEMORY_METHODS, **hooks}.items():
        check_signature(plugin, getattr(klass, method), method, ("self", *arguments))
    return klass


def memory_params(name: str) -> tuple[str, ...]:
    """The keyword parameters memory `name` accepts besides its budget: its own, then those its
    `**params` pass on to base classes (so a subclass lists only what it adds)."""
    return _keyword_params(memory_class(name))


def _keyword_params(klass: type) -> tuple[str, ...]:
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names: list[str] = []
    for base in klass.__mro__:
        if "__init__" not in vars(base):
            continue
        parameters = list(inspect.signature(base.__init__).parameters.values())
        names += [item.name for item in parameters
                  if item.kind in keyword and item.name not in ("self", "budget", *names)]
        if not any(item.kind is inspect.Parameter.VAR_KEYWORD for item in parameters):
            break
    return tuple(names)


def make_memory(name: str, budget: Budget | Mapping, **params: object) -> Memory:
    """Build memory `name` on `budget` (a Budget or its config mapping); DataError on unknown params."""
    return build_memory(memory_class(name), name, budget, **params)


def build_memory(klass: type, name: str, budget: Budget | Mapping, **params: object) -> Memory:
    """`make_memory` for a class already found and checked (`name` is what messages call it)."""
    allowed = _keyword_params(klass)
    for key in params:
        if key not in allowed:
            raise DataError(f"memory {name}: unknown parameter {key!r} (allowed: {', '.join(allowed)})")
    return klass(Budget.parse(budget), **params)
