"""Incremental task order and grouping of activities into tasks."""
from __future__ import annotations

import random

from tasks.errors import DataError


def task_order(activities: list[str] | tuple[str, ...], seed: int) -> list[str]:
    """The seeded activity order: `random.Random(seed).shuffle(sorted(activities))`."""
    order = sorted(activities)
    random.Random(seed).shuffle(order)
    return order


def group_activities(order: list[str], n_tasks: int) -> list[list[str]]:
    """Consecutive groups of equal size in `order`, e.g. 10 activities, 5 tasks → pairs."""
    if not isinstance(n_tasks, int) or n_tasks < 1 or len(order) % n_tasks:
        raise DataError(
            f"tasks: expected a positive divisor of the {len(order)} activities, got {n_tasks!r}"
        )
    size = len(order) // n_tasks
    return [list(order[i * size:(i + 1) * size]) for i in range(n_tasks)]
