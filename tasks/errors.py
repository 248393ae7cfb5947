"""The one exception type every layer raises for bad user input.

The CLI turns it into a single line on stderr and exit code 2, so the message must name the
file or config key and say what was expected.
"""


class DataError(ValueError):
    """Bad input from the user: a file, a dataset folder, a config key or a memory file."""


def first_line(err: BaseException, limit: int = 160) -> str:
    """A library exception's message cut to one line (for quoting inside a DataError)."""
    text = str(err).strip()
    return text.splitlines()[0][:limit] if text else type(err).__name__
