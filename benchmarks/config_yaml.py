"""Reading config YAML: numbers as YAML 1.2 reads them, plain data only, and bounded.

PyYAML implements YAML 1.1, where `1e-3` is a string (1.1 wants `1.0e-3`), `010` is 8 and `1:20` is
80. Configs are read with the YAML 1.2 core schema's numbers instead (decimal, `0o`, `0x`, floats
with an exponent or a point, `.inf`, `.nan`; `_` between digits is allowed, as PyYAML allows it);
booleans keep YAML 1.1's spellings (`yes`/`no`/`on`/`off` besides `true`/`false`), so configs that
used them read as before. Only null, booleans, numbers, text, lists and mappings with text keys are
built: no dates, no `!!binary`, no sets.

A config is small, so the reader refuses what only a mistake or an attack produces, before building
anything: a key given twice in one mapping (YAML 1.1 readers keep the last value silently), nesting
deeper than MAX_DEPTH (a 20,000-deep document would exhaust Python's recursion), and aliases whose
expansion exceeds MAX_VALUES values (the "billion laughs": nine anchors of nine aliases each expand
to 10^9 values while the text stays under a kilobyte).
"""
from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 1_000_000  # a config file larger than this is not a config
MAX_DEPTH = 32         # the deepest real config nests 6 levels (strategies[i].params.key: [list])
MAX_VALUES = 100_000   # values after expanding aliases (the paper configs hold a few hundred)
MAX_DIGITS = 100       # an integer with more digits is no config value (and int() of 4300+ digits raises)

YAML12_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$")
YAML12_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                          r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
INT_TAG, FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
PLAIN_TAGS = ("null", "bool", "int", "float", "str", "seq", "map")


class ConfigYAMLError(yaml.YAMLError):
    """A rule of the config reader broken at a line of the file."""

    def __init__(self, problem: str, node_or_mark) -> None:
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class ConfigLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 numbers, plain data only, no duplicate keys, bounded depth and size."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.depth = 0
        self.values: dict[int, int] = {}  # id(node) -> values it expands to (aliases included)

    def compose_node(self, parent, index) -> Node:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            if id(node) not in self.values:
                raise ConfigYAMLError("an alias refers to a value that contains it", mark)
            return node
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConfigYAMLError(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self.depth -= 1
        children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else (
            node.value if isinstance(node, SequenceNode) else [])
        count = 1 + sum(self.values[id(child)] for child in children)
        if count > MAX_VALUES:
            raise ConfigYAMLError(f"aliases expand to more than {MAX_VALUES:,} values", node)
        self.values[id(node)] = count
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ConfigYAMLError(f"key {key!r} must be text", key_node)
            if key in seen:
                raise ConfigYAMLError(f"duplicate key '{key}'", key_node)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_undefined(self, node):
        raise ConfigYAMLError(f"tag {node.tag} is not allowed (plain values only)", node)

    def construct_yaml12_int(self, node) -> int:
        text = self.construct_scalar(node).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if len(digits) > MAX_DIGITS:
            raise ConfigYAMLError(f"an integer of more than {MAX_DIGITS} digits", node)
        base = {"0o": 8, "0x": 16}.get(digits[:2], 10)
        return sign * int(digits[2:] if base != 10 else digits, base)

    def construct_yaml12_float(self, node) -> float:
        text = self.construct_scalar(node).replace("_", "").lower()
        if text.lstrip("+-") == ".inf":
            return float("-inf") if text.startswith("-") else float("inf")
        return float("nan") if text == ".nan" else float(text)


# The YAML 1.1 resolvers for numbers, dates and '=' go; the 1.2 number resolvers come first.
ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag.rsplit(":", 1)[-1] in ("null", "bool", "merge")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ConfigLoader.add_implicit_resolver(INT_TAG, YAML12_INT, list("-+0123456789"))
ConfigLoader.add_implicit_resolver(FLOAT_TAG, YAML12_FLOAT, list("-+0123456789."))
ConfigLoader.yaml_constructors = {
    tag: constructor for tag, constructor in yaml.SafeLoader.yaml_constructors.items()
    if tag is not None and tag.rsplit(":", 1)[-1] in PLAIN_TAGS
}
ConfigLoader.add_constructor(None, ConfigLoader.construct_undefined)  # any other tag
ConfigLoader.add_constructor(INT_TAG, ConfigLoader.construct_yaml12_int)
ConfigLoader.add_constructor(FLOAT_TAG, ConfigLoader.construct_yaml12_float)


class ConfigDumper(yaml.SafeDumper):
    """Writes what ConfigLoader reads back unchanged: text that YAML 1.2 would read as a number (a
    label '1e3') is quoted, which PyYAML's YAML 1.1 dumper does not do."""


ConfigDumper.yaml_implicit_resolvers = ConfigLoader.yaml_implicit_resolvers


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=ConfigDumper, sort_keys=False)


def parse_yaml(text: str):
    """`text` read as config YAML; yaml.YAMLError (a ConfigYAMLError for the rules above) otherwise."""
    return yaml.load(text, Loader=ConfigLoader)  # noqa: S506 - a SafeLoader subclass


def yaml_problem(err: yaml.YAMLError) -> str:
    """'not valid YAML (line N)', or the broken rule and its line, for a DataError."""
    line = getattr(getattr(err, "problem_mark", None), "line", None)
    where = f" (line {line + 1})" if line is not None else ""
    return f"{err.problem}{where}" if isinstance(err, ConfigYAMLError) else f"not valid YAML{where}"
