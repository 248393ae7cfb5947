"""What a memory holds, and its exact size: arrays grouped by accounting component.

Sizes are read off the objects themselves (`ndarray.nbytes`, tensor element counts, a module's
state_dict, the fields of a dataclass such as `Transcripts` or `StoredCodes`), never estimated, so
`Memory.nbytes()` is exact by construction.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np
import torch

from replay.memory import COMPONENTS

# A dataclass instance counts its fields; None counts 0 (an absent optional array, e.g. an int8 scale).
Held = Union[np.ndarray, torch.Tensor, torch.nn.Module, Mapping[str, "Held"], Sequence["Held"], Any, None]


def held_nbytes(held: Held) -> int:
    """Bytes of every array in `held`; a module counts its state_dict (parameters and buffers).

    Anything else (a number, a string) is a TypeError, so nothing held escapes the count unnoticed.
    """
    if held is None:
        return 0
    if isinstance(held, np.ndarray):
        return int(held.nbytes)
    if isinstance(held, torch.Tensor):
        return held.numel() * held.element_size()
    if isinstance(held, torch.nn.Module):
        return sum(held_nbytes(tensor) for tensor in held.state_dict().values())
    if isinstance(held, Mapping):
        return sum(held_nbytes(value) for value in held.values())
    if isinstance(held, (list, tuple)):
        return sum(held_nbytes(value) for value in held)
    if dataclasses.is_dataclass(held) and not isinstance(held, type):
        return sum(held_nbytes(getattr(held, item.name)) for item in dataclasses.fields(held))
    raise TypeError(
        f"a memory holds arrays, tensors, modules, dataclasses and containers of them, not {type(held).__name__}"
    )


def component_nbytes(held: Mapping[str, Held]) -> dict[str, int]:
    """{component: bytes} over all COMPONENTS (zeros included) for a component-keyed mapping."""
    check_components(held.keys())
    return {component: held_nbytes(held[component]) if component in held else 0 for component in COMPONENTS}


def check_components(keys: object) -> None:
    unknown = sorted(set(keys) - set(COMPONENTS))
    if unknown:
        raise ValueError(f"unknown memory component {unknown[0]!r} (components: {', '.join(COMPONENTS)})")


def complete_costs(costs: Mapping[str, int]) -> dict[str, int]:
    """A hook's cost dict with every component present (missing ones are 0)."""
    check_components(costs.keys())
    return {component: int(costs.get(component, 0)) for component in COMPONENTS}


def total_by_component(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Sum of several by-component byte counts (e.g. every task's), with every component present."""
    totals = dict.fromkeys(COMPONENTS, 0)
    for part in parts:
        for component, count in part.items():
            totals[component] += count
    return totals


def check_finite(held: Held, owner: str) -> None:
    """ValueError naming `owner` if a floating array anywhere in `held` holds NaN or inf."""
    arrays = [held] if isinstance(held, (np.ndarray, torch.Tensor)) else []
    if isinstance(held, torch.nn.Module):
        arrays = list(held.state_dict().values())
    elif isinstance(held, Mapping):
        for value in held.values():
            check_finite(value, owner)
    elif isinstance(held, (list, tuple)):
        for value in held:
            check_finite(value, owner)
    elif dataclasses.is_dataclass(held) and not isinstance(held, type):
        for item in dataclasses.fields(held):
            check_finite(getattr(held, item.name), owner)
    for array in arrays:
        values = torch.as_tensor(array)
        if values.is_floating_point() and not bool(torch.isfinite(values).all()):
            raise ValueError(f"{owner}: holds NaN or inf values")
