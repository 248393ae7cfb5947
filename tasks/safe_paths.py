"""Names read from files are data, never paths.

A video, class or run name comes from a file the user (or someone else) wrote: a split bundle, an
activities file, a memory file, a run record, a prediction folder. Joined into a path unchecked, an
absolute name or one that climbs with '..' would read or overwrite files anywhere (a bundle line
'/home/me/data/groundTruth/v' once made a run overwrite that ground truth with its predictions).
`check_name` is applied where such a name is read, and `inside` before anything is written.
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from tasks.errors import DataError

MAX_NAME = 255  # bytes: the longest file name common filesystems allow


def check_name(name: object, source: str | Path) -> str:
    """`name` if it can be used as a plain file stem: a non-empty string with no path separator, not
    '.' or '..', and no control characters; otherwise a DataError naming `source` (the file or key
    the name was read from)."""
    if not isinstance(name, str):
        raise DataError(f"{source}: name {name!r} must be text, got {type(name).__name__}")
    problem = _problem(name)
    if problem:
        raise DataError(f"{source}: name {name!r} is not a plain file name ({problem})")
    return name


def _problem(name: str) -> str | None:
    if not name.strip():
        return "empty"
    if "/" in name or "\\" in name or (os.altsep and os.altsep in name):
        return "contains a path separator"
    if name in (".", ".."):
        return "a relative folder"
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        return "contains a control or invisible character"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME:
        return f"longer than {MAX_NAME} bytes"
    return None


def inside(root: str | Path, path: str | Path) -> Path:
    """`path` resolved, if it lies inside `root` (also resolved; symbolic links followed); a
    DataError naming both otherwise. Called on every output path built from a name before writing."""
    base, target = Path(root).resolve(), Path(path).resolve()
    if target != base and base not in target.parents:
        raise DataError(f"{path}: would be written outside its output folder {root}")
    return target
