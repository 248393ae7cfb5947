"""Code from outside itas, found by name: a dotted path `package.module:Object`, or a Python entry point
in one of the groups `itas.memories`, `itas.strategies`, `itas.backbones` (docs: "Your memory in 30
lines"). Whatever goes wrong while finding or checking it is one DataError naming the plugin.

The checks of what a plugin must provide live with each registry (replay.registry,
strategies.resolve, strategies.backbones); this module only finds objects and checks call signatures.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Callable, Iterable

from tasks.errors import DataError, first_line


@dataclass(frozen=True)
class Plugin:
    """An object from outside itas and where it came from, for messages."""

    name: str  # as the config names it
    source: str  # "dotted path" or "entry point <group>"
    target: str  # "module:attribute"
    obj: object

    def error(self, problem: str) -> DataError:
        return DataError(plugin_error(self.name, self.source, self.target, problem))


def plugin_error(name: str, source: str, target: str, problem: str) -> str:
    where = f" ({source} {target})" if target != name else ""
    return f"plugin {name!r}{where}: {problem}"


def is_dotted(name: object) -> bool:
    """`package.module:Object` (the colon is what tells a path from a registered name)."""
    return isinstance(name, str) and ":" in name


def import_object(name: str, target: str, source: str) -> object:
    """`module:attribute.path` imported; DataError naming the plugin for anything that fails."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise DataError(plugin_error(name, source, target, "expected 'package.module:Object'"))
    try:
        obj = importlib.import_module(module_name)
    except Exception as err:  # the plugin's own import may fail in any way; report it, do not crash
        problem = f"cannot import module {module_name!r} ({type(err).__name__}: {first_line(err)})"
        raise DataError(plugin_error(name, source, target, problem)) from None
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise DataError(plugin_error(name, source, target, f"{module_name!r} has no attribute {attribute!r}"))
        obj = getattr(obj, part)
    return obj


def entry_point(group: str, name: str) -> EntryPoint | None:
    """The installed entry point `name` of `group`; several distributions declaring it is an error."""
    found = {point.value: point for point in entry_points(group=group, name=name)}
    if len(found) > 1:
        targets = ", ".join(sorted(found))
        raise DataError(f"plugin {name!r}: entry point {group} declared more than once ({targets})")
    return next(iter(found.values()), None)


def find_plugin(group: str, name: str) -> Plugin | None:
    """The object `name` stands for: imported from a dotted path, or the entry point `name` of
    `group`; None when `name` is neither (an unknown name: the caller lists the known ones)."""
    if is_dotted(name):
        return Plugin(name, "dotted path", name, import_object(name, name, "dotted path"))
    point = entry_point(group, name)
    if point is None:
        return None
    source = f"entry point {group}"
    return Plugin(name, source, point.value, import_object(name, point.value, source))


def required_plugin(group: str, name: str, kind: str, builtin: Iterable[str]) -> Plugin:
    """find_plugin, with an unknown `name` a DataError listing the built-in and installed names."""
    plugin = find_plugin(group, name)
    if plugin is None:
        known = sorted({*builtin, *installed(group)})
        raise DataError(f"{kind}: unknown {kind} {name!r} (known: {', '.join(known)})")
    return plugin


def installed(group: str) -> list[str]:
    """Names of the entry points of `group` (for 'known: ...' lists)."""
    return sorted({point.name for point in entry_points(group=group)})


def check_signature(plugin: Plugin, function: Callable, label: str, positional: tuple[str, ...],
                    keywords: tuple[str, ...] = ()) -> None:
    """DataError naming the plugin unless `function` accepts the `positional` arguments (by name, for
    the message) and the `keywords` itas passes it."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return  # builtins without a signature: nothing to check before the call
    try:
        signature.bind(*positional, **dict.fromkeys(keywords))
    except TypeError:
        expected = ", ".join([*positional, *(f"{key}=..." for key in keywords)])
        bare = signature.replace(parameters=[item.replace(annotation=inspect.Parameter.empty)
                                             for item in signature.parameters.values()],
                                 return_annotation=inspect.Signature.empty)
        raise plugin.error(f"{label}{bare} cannot be called as {label}({expected})") from None
