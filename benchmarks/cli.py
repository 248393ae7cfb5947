"""`itas` command line: one module per subcommand under benchmarks/commands/.

Every subcommand module defines `register(subparsers)` and `run(args) -> int`. Bad input
(tasks.DataError) becomes one line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import re
import sys
from typing import NoReturn

from tasks.errors import DataError, first_line

COMMANDS = ("run", "status", "report", "synth", "check", "eval", "condense", "replay", "estimate", "profile")


class OneLineParser(argparse.ArgumentParser):
    """argparse's errors as every other error of the command: one line (argparse prints its usage
    first), exit code 2. Subcommand parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="itas",
        description="Incremental temporal action segmentation benchmark suite with replay.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"benchmarks.commands.{name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # named by the subcommand's parser: "itas run: error: ...", like every other error of it
            commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            commands.choices[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as done:  # --help (0) or an argument error, already printed as one line (2)
        return done.code if isinstance(done.code, int) else 2
    try:
        return int(args.handler(args) or 0)
    except DataError as err:
        print(f"itas {args.command}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        # A file the user named cannot be read or written (permissions, a full or read-only disk):
        # their input too, so the same one line and exit code instead of a traceback.
        where = f"{err.filename}: " if err.filename else ""
        print(f"itas {args.command}: error: {where}{err.strerror or first_line(err)}", file=sys.stderr)
        return 2
    except (MemoryError, RuntimeError) as err:
        if not out_of_memory(err):
            raise
        # The config asks more of this machine than it has: one line saying what to shrink.
        print(f"itas {args.command}: error: out of memory{allocation(err)}; a smaller backbone (backbone.maps), "
              "TCA (a memory's hidden, latent, batch_frames), train.batch_size or fewer --jobs needs less",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"itas {args.command}: interrupted", file=sys.stderr)
        return 130


def out_of_memory(err: BaseException) -> bool:
    """A failed allocation: Python's MemoryError, torch's CPU allocator or CUDA's out-of-memory error."""
    text = str(err)
    return isinstance(err, MemoryError) or "can't allocate memory" in text or "out of memory" in text


def allocation(err: BaseException) -> str:
    found = re.search(r"[Tt]ried to allocate ([\d.]+ ?[KMGT]?i?B|\d+ bytes)", str(err))
    return f" (tried to allocate {found.group(1)})" if found else ""


if __name__ == "__main__":
    sys.exit(main())
