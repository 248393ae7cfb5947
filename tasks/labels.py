"""Label spaces for incremental TAS.

disjoint: one class per (activity, action) pair observed in the dataset, "activity/action",
          ordered by activity then mapping id (Breakfast: 84, SIL once per activity).
blurry:   the mapping's labels that are observed, shared across activities (Breakfast: 48).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tasks.datasets import ActionDataset
from tasks.errors import DataError
from tasks.video import Video

KINDS = ("disjoint", "blurry")
UNOBSERVED = -1


@dataclass
class LabelSpace:
    kind: str
    classes: list[str]
    actions: list[str]
    activity_classes: dict[str, list[int]]
    tables: dict[str, np.ndarray]  # per activity: mapping id → class id (UNOBSERVED if never seen)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def encode(self, video: Video) -> Video:
        """The video with its mapping ids replaced by this space's class ids."""
        if video.activity not in self.tables:
            raise DataError(f"video {video.name}: activity {video.activity!r} not in the label space")
        labels = self.tables[video.activity][video.labels]
        if (labels == UNOBSERVED).any():
            missing = sorted({self.actions[i] for i in video.labels[labels == UNOBSERVED]})
            raise DataError(f"video {video.name}: actions {missing} were not observed in the dataset")
        return replace(video, labels=labels, meta=dict(video.meta))

    def background_ids(self, names: list[str] | tuple[str, ...]) -> list[int]:
        """Class ids of background labels; in disjoint "SIL" means every "<activity>/SIL"."""
        ids: set[int] = set()
        for name in names:
            matches = [i for i, c in enumerate(self.classes)
                       if c == name or (self.kind == "disjoint" and c.split("/", 1)[1] == name)]
            if not matches:
                raise DataError(f"background: {name!r} is not a class of the {self.kind} label space")
            ids.update(matches)
        return sorted(ids)

    def classes_of(self, activities: list[str] | tuple[str, ...]) -> list[int]:
        """Sorted ids of every class observed in the given activities."""
        unknown = [a for a in activities if a not in self.activity_classes]
        if unknown:
            raise DataError(f"activities {unknown} not in the label space")
        return sorted({c for a in activities for c in self.activity_classes[a]})


def build_label_space(dataset: ActionDataset, kind: str = "disjoint") -> LabelSpace:
    """The `kind` label space of every (activity, action) observed in train ∪ test."""
    if kind not in KINDS:
        raise DataError(f"labels: expected one of {list(KINDS)}, got {kind!r}")
    num_actions = len(dataset.actions)
    observed = {a: np.zeros(num_actions, dtype=bool) for a in dataset.activities}
    for video in dataset.videos:
        observed[video.activity][np.unique(video.labels)] = True

    tables: dict[str, np.ndarray] = {}
    if kind == "disjoint":
        classes: list[str] = []
        for activity in dataset.activities:
            ids = np.flatnonzero(observed[activity])
            table = np.full(num_actions, UNOBSERVED, dtype=np.int64)
            table[ids] = np.arange(len(classes), len(classes) + len(ids))
            tables[activity] = table
            classes += [f"{activity}/{dataset.actions[i]}" for i in ids]
    else:
        ids = np.flatnonzero(np.any(list(observed.values()), axis=0))
        table = np.full(num_actions, UNOBSERVED, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        classes = [dataset.actions[i] for i in ids]
        for activity in dataset.activities:
            tables[activity] = np.where(observed[activity], table, UNOBSERVED)

    activity_classes = {a: sorted(set(t[t != UNOBSERVED].tolist())) for a, t in tables.items()}
    return LabelSpace(kind, classes, list(dataset.actions), activity_classes, tables)
