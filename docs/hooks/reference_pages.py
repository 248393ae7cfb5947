"""The generated reference pages: the configs reference from `benchmarks.config.DEFAULTS` (values
and the comments beside each key in config.py's source) and the config schema (what each key
accepts), and the CLI reference from the `itas` argparse parsers.

The pages are committed (so they read on a code host too) and checked at every `mkdocs build`: a
page that differs from what the code generates now fails the build with the command that rewrites
it. `python docs/hooks/reference_pages.py` rewrites both.
"""
from __future__ import annotations

import argparse
import ast
import inspect
import io
import re
import sys
import tokenize
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1]
PAGES = ("reference/configs.md", "reference/cli.md")
REWRITE = "python docs/hooks/reference_pages.py"


# ---------------------------------------------------------------------------------- configs page

NAMED = re.compile(r"(?:^|;\s+)([a-z_]+): ")


def key_comments(source: str) -> dict[str, str]:
    """Dotted DEFAULTS key -> its documentation in config.py's source: the comment on the key's
    line, or `# key: text` lines (with their continuation lines) in the comment block just above the
    section that holds the key; unnamed text in that block documents the section itself."""
    lines = source.splitlines()
    defaults = next(node.value for node in ast.walk(ast.parse(source))
                    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DEFAULTS" for t in node.targets)
                    or isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "DEFAULTS")
    trailing = {token.start[0]: token.string.lstrip("#").strip()
                for token in tokenize.generate_tokens(io.StringIO(source).readline) if token.type == tokenize.COMMENT}
    docs: dict[str, str] = {}
    read: set[int] = set()  # lines whose comments a key already took (a section and its first key share one)

    def block_above(line: int) -> list[str]:
        block: list[str] = []
        if line in read:
            return block
        read.add(line)
        while line > 1 and lines[line - 2].strip().startswith("#"):
            line -= 1
            block.insert(0, lines[line - 1].strip().lstrip("#").strip())
        return block

    def add(name: str, text: str) -> None:
        text = text.strip().removesuffix(";")
        docs[name] = f"{docs[name]} {text}" if name in docs else text

    def walk(node: ast.Dict, prefix: str) -> None:
        for key, value in zip(node.keys, node.values):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            name, current = prefix + key.value, None
            for text in block_above(key.lineno):
                parts = NAMED.split(text)
                if parts[0].strip():
                    add(f"{name}.{current}" if current else name, parts[0])
                for sub, sub_text in zip(parts[1::2], parts[2::2]):
                    current = sub
                    add(f"{name}.{sub}", sub_text)
            if key.lineno in trailing and not isinstance(value, ast.Dict):
                add(name, trailing[key.lineno])
            if isinstance(value, ast.Dict):
                walk(value, name + ".")

    walk(defaults, "")
    return docs


def cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, and `<run>`-style placeholders kept as text, not HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def yaml_value(value: Any) -> str:
    import yaml

    return "`" + yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip() + "`"


def configs_page() -> str:
    from benchmarks import config

    from benchmarks.config_schema import accepts

    docs = key_comments(inspect.getsource(config))
    lines = ["# Configs reference", "",
             "Generated from `benchmarks/config.py` (`DEFAULTS` and the comments beside each key) and the schema",
             f"in `benchmarks/config_schema.py` (what each key accepts) by `{REWRITE}`; the docs build",
             "fails when this page is stale. How configs are written and overridden: [Configs](../configs/index.md).",
             ""]
    for section, value in config.DEFAULTS.items():
        lines += [f"## `{section}`", ""]
        if docs.get(section):
            lines += [cell(docs[section]), ""]
        if isinstance(value, dict):
            lines += ["| key | default | accepts | meaning |", "|---|---|---|---|"]
            for key, default in value.items():
                allowed = cell(accepts(config.SCHEMA, section, key))
                lines.append(f"| `{key}` | {yaml_value(default)} | {allowed} | {cell(docs.get(f'{section}.{key}', ''))} |")
        else:
            lines += [f"Default: {yaml_value(value)}"]
        lines.append("")
    return "\n".join(lines)


# -------------------------------------------------------------------------------------- CLI page

def argument_row(action: argparse.Action, prog: str) -> str:
    if action.option_strings:
        value = "" if action.nargs == 0 else f" {action.metavar or action.dest.upper()}"
        name = ", ".join(f"`{option}{value}`" for option in action.option_strings)
    else:
        name = f"`{action.metavar or action.dest}`"
    text = (action.help or "") % {**vars(action), "prog": prog} if action.help else ""
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        text += f" (one of {', '.join(f'`{choice}`' for choice in action.choices)})"
    default = action.default
    hidden = action.nargs == 0 or default is None or default is argparse.SUPPRESS or default == []
    return f"| {name} | {'' if hidden else f'`{default}`'} | {cell(text)} |"


def cli_page() -> str:
    from benchmarks.cli import build_parser

    parser = build_parser()
    sub = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    summaries = {choice.dest: choice.help for choice in sub._choices_actions}
    lines = ["# CLI reference", "",
             f"Generated from the `itas` argparse parsers (`benchmarks/cli.py`, `benchmarks/commands/`) by "
             f"`{REWRITE}`;", "the docs build fails when this page is stale. `itas COMMAND --help` prints the same.",
             "", "| command | what it does |", "|---|---|"]
    lines += [f"| [`itas {name}`](#itas-{name}) | {cell(summaries.get(name) or '')} |" for name in sub.choices]
    for name, command in sub.choices.items():
        lines += ["", f"## itas {name}", "", cell(command.description or summaries.get(name, "")), "",
                  "| argument | default | meaning |", "|---|---|---|"]
        lines += [argument_row(action, command.prog) for action in command._actions
                  if not isinstance(action, argparse._HelpAction) and action.help != argparse.SUPPRESS]
    lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ the checks

GENERATORS = {"reference/configs.md": configs_page, "reference/cli.md": cli_page}


def stale_pages(docs_dir: Path = DOCS) -> list[str]:
    """The generated pages whose committed text differs from what the code generates now."""
    return [page for page, generate in GENERATORS.items()
            if not (docs_dir / page).is_file() or (docs_dir / page).read_text() != generate()]


def on_pre_build(config) -> None:
    """MkDocs hook: refuse to build from stale generated pages."""
    from mkdocs.exceptions import PluginError

    stale = stale_pages(Path(config["docs_dir"]))
    if stale:
        raise PluginError(f"docs/{stale[0]}: stale generated page (the code changed); rewrite it with {REWRITE}")


if __name__ == "__main__":
    sys.path.insert(0, str(DOCS.parent))
    for page, generate in GENERATORS.items():
        (DOCS / page).write_text(generate())
        print(f"wrote docs/{page}")
