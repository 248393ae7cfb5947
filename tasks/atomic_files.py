"""Write output files all-or-nothing: into a temporary file beside the target, then os.replace.

Temporary names start with TEMP_PREFIX, so the ones a killed process left behind are recognisable
and `remove_orphaned_temps` can clear them at the next start.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from tasks.errors import DataError, first_line

TEMP_PREFIX = ".itas-tmp."


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp_path)`, then move the finished file onto `path`; no partial file on failure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        # mkstemp creates 0600; outputs get the permissions a plain open() would give (0666 - umask).
        os.chmod(tmp, 0o666 & ~current_umask())
        write(Path(tmp))
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(err, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_error(err: OSError, path: Path) -> DataError:
    """A failed write (a full disk, a quota, an I/O error) as one line naming the output `path`: the
    system's own message names no file when writing to an open file fails."""
    return DataError(f"{path}: cannot write ({err.strerror or first_line(err)})")


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomically(path: Path, text: str) -> Path:
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def remove_orphaned_temps(folder: Path) -> list[Path]:
    """Delete the temporary files and folders killed writes left anywhere under `folder`."""
    orphans = sorted(Path(folder).rglob(f"{TEMP_PREFIX}*")) if Path(folder).is_dir() else []
    for orphan in orphans:
        if orphan.is_dir():
            shutil.rmtree(orphan, ignore_errors=True)
        else:
            orphan.unlink(missing_ok=True)
    return orphans


def writable_folder(path: Path, option: str = "--out") -> Path:
    """Create `path` (and parents) and prove it writable with a probe file; a DataError naming
    `option` and the path otherwise (an existing file, a path under a file, no permission, a
    read-only filesystem), before anything is computed or written."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise DataError(f"{option} {path}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        reason = {errno.ENOTDIR: "a parent of it is a file", errno.EEXIST: "a parent of it is a file",
                  errno.EROFS: "read-only filesystem", errno.EACCES: "permission denied",
                  errno.EPERM: "permission denied"}.get(err.errno, err.strerror or type(err).__name__)
        raise DataError(f"{option} {path}: cannot write there ({reason})") from None
    return path
