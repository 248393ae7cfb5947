"""Strategy parameters read from a config's `params`, each bad value a DataError naming the key."""
from __future__ import annotations

import math
import numbers

from tasks.errors import DataError


def number_param(strategy: str, params: dict, key: str, default: float, allow_zero: bool = True,
                 upper: float | None = None) -> float:
    """params[key] (default when absent) as a finite float >= 0 (> 0 unless allow_zero, <= upper when
    given); DataError naming the key otherwise."""
    value = params.get(key, default)
    bad = (isinstance(value, bool) or not isinstance(value, numbers.Real)
           or (not isinstance(value, numbers.Integral) and not math.isfinite(value))  # NaN passes `< 0`
           or value < 0 or (value == 0 and not allow_zero))
    if bad or (upper is not None and value > upper):
        bound = "a number >= 0" if allow_zero else "a number > 0"
        if upper is not None:
            bound = f"a number in [0, {upper:g}]"
        raise DataError(f"strategies.{strategy}: parameter '{key}' must be {bound}, got {value!r}")
    return float(value)


def positive_int(strategy: str, params: dict, key: str, default: int, upper: int) -> int:
    """params[key] (default when absent) as an integer in 1..upper; DataError naming the key otherwise.
    The bound keeps a typo from becoming an allocator traceback or a run that never ends."""
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= upper:
        raise DataError(f"strategies.{strategy}: parameter '{key}' must be an integer in 1..{upper}, got {value!r}")
    return int(value)
