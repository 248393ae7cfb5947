"""The one exception type every layer raises for bad user input.

The CLI turns it into a single line on stderr and exit code 2, so the message must name the
file or config key and say what was expected.
"""
import re


class DataError(ValueError):
    """Bad input from the user: a file, a dataset folder, a config key or a memory file."""


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def first_line(err: BaseException, limit: int = 160) -> str:
    """A library exception's message as one plain line for quoting inside a DataError: terminal
    colour codes removed (torch colours some errors) and cut at a word boundary, marked with '…'."""
    text = ANSI_ESCAPE.sub("", str(err)).strip()
    if not text:
        return type(err).__name__
    line = text.splitlines()[0].strip()
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(" ,;:") + " …"
