"""Replay budgets: how many videos, or how many bytes, a memory may hold once `seen` tasks share it.

A budget is split equally over the tasks seen so far (T's protocol: 60 videos divided by the number
of seen tasks). Shares only shrink as tasks arrive, so a memory only ever evicts; it never needs a
video it has already thrown away.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tasks.errors import DataError

BYTE_UNITS = {
    "B": 1,
    "KB": 10**3, "MB": 10**6, "GB": 10**9,
    "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
}
_UNIT_SPELLING = {"B": "B", "KB": "KB", "MB": "MB", "GB": "GB", "KIB": "KiB", "MIB": "MiB", "GIB": "GiB"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*$")
BUDGET_KEYS = ("videos", "bytes", "count_decoders")


def parse_bytes(value: object, key: str = "bytes") -> int:
    """`4000000`, `"4MB"`, `"1.5 MiB"` → a whole number of bytes (units of 10^3 and 2^10)."""
    if isinstance(value, bool):
        raise DataError(f"budget {key}: expected a byte count like 4000000 or '4MB', got {value!r}")
    if isinstance(value, int):
        amount, unit = Decimal(value), "B"
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        number, unit = match.group(1), (match.group(2).upper() or "B")
        if unit not in BYTE_UNITS:
            allowed = ", ".join(_UNIT_SPELLING.values())
            raise DataError(
                f"budget {key}: unknown unit {match.group(2)!r} in {value!r} (allowed: {allowed})"
            )
        try:
            amount = Decimal(number)
        except InvalidOperation as error:
            raise DataError(f"budget {key}: cannot read a number in {value!r}") from error
    else:
        raise DataError(f"budget {key}: expected a byte count like 4000000 or '4MB', got {value!r}")
    total = amount * BYTE_UNITS[unit]
    if total != total.to_integral_value():
        raise DataError(f"budget {key}: {value!r} is not a whole number of bytes")
    if total <= 0:
        raise DataError(f"budget {key}: must be positive, got {value!r}")
    return int(total)


def format_bytes(count: int) -> str:
    """Human-readable size in decimal units, for messages: 12345 → '12.3 KB'."""
    for unit in ("GB", "MB", "KB"):
        if count >= BYTE_UNITS[unit]:
            return f"{count / BYTE_UNITS[unit]:.1f} {unit}"
    return f"{count} B"


def _exact_size_label(count: int) -> str:
    """The largest unit that divides `count` exactly, so the label reads back to the same budget."""
    for unit in ("GIB", "GB", "MIB", "MB", "KIB", "KB"):
        if count % BYTE_UNITS[unit] == 0:
            return f"{count // BYTE_UNITS[unit]}{_UNIT_SPELLING[unit]}"
    return f"{count}B"


@dataclass(frozen=True)
class Budget:
    """Exactly one of `videos` (total replay videos) or `bytes` (total bytes held).

    count_decoders: whether fixed per-task costs (decoder parameters and any other task-level
    state) count against a byte budget. False reproduces P's accounting (codes only).
    """

    videos: int | None = None
    bytes: int | None = None
    count_decoders: bool = True

    def __post_init__(self) -> None:
        if (self.videos is None) == (self.bytes is None):
            raise DataError("budget: give exactly one of 'videos' or 'bytes'")
        for key in ("videos", "bytes"):
            value = getattr(self, key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise DataError(f"budget {key}: expected a positive integer, got {value!r}")
        if not isinstance(self.count_decoders, bool):
            raise DataError(f"budget count_decoders: expected true or false, got {self.count_decoders!r}")

    @classmethod
    def parse(cls, spec: object) -> Budget:
        """{"videos": 60} | {"bytes": "4MB"} | {"bytes": 4000000}, optionally "count_decoders"."""
        if isinstance(spec, Budget):
            return spec
        if not isinstance(spec, Mapping):
            raise DataError(f"budget: expected a mapping like {{videos: 60}} or {{bytes: 4MB}}, got {spec!r}")
        unknown = sorted(set(spec) - set(BUDGET_KEYS))
        if unknown:
            raise DataError(f"budget: unknown key {unknown[0]!r} (allowed: {', '.join(BUDGET_KEYS)})")
        size = spec.get("bytes")
        return cls(
            videos=spec.get("videos"),
            bytes=None if size is None else parse_bytes(size),
            count_decoders=spec.get("count_decoders", True),
        )

    @property
    def label(self) -> str:
        """The CSV `budget` column: 'videos=60', 'bytes=4MB', 'bytes=4MB,count_decoders=false'."""
        if self.videos is not None:
            return f"videos={self.videos}"
        text = f"bytes={_exact_size_label(self.bytes)}"
        return text if self.count_decoders else text + ",count_decoders=false"

    def video_quota(self, task_rank: int, seen: int) -> int | None:
        """Videos the `task_rank`-th seen task (0 = oldest) may keep once `seen` tasks share the budget.

        The remainder of N / seen goes to the oldest tasks: the count is the number of i < N with
        i mod seen == task_rank, which never grows with `seen` (so memories only evict).
        """
        if self.videos is None:
            return None
        if not 0 <= task_rank < seen:
            raise ValueError(f"task rank {task_rank} outside 0..{seen - 1}")
        return self.videos // seen + (1 if task_rank < self.videos % seen else 0)

    def byte_quota(self, seen: int, fixed_bytes: int) -> int | None:
        """Bytes of per-video records each of `seen` tasks may hold, after the fixed per-task costs.

        fixed_bytes: the total fixed cost of all seen tasks (ignored when count_decoders is false).
        A negative result means the fixed costs alone exceed the budget.
        """
        if self.bytes is None:
            return None
        available = self.bytes - (fixed_bytes if self.count_decoders else 0)
        return available // seen


def fit_videos(costs: Sequence[int], max_videos: int | None, max_bytes: int | None) -> list[int]:
    """Positions kept by a greedy pass in rank order: a video that does not fit is skipped and the
    pass goes on, so smaller later videos may still fill the share; stops at `max_videos`."""
    kept: list[int] = []
    used = 0
    for position, cost in enumerate(costs):
        if max_videos is not None and len(kept) >= max_videos:
            break
        if max_bytes is not None and used + cost > max_bytes:
            continue
        kept.append(position)
        used += cost
    return kept
