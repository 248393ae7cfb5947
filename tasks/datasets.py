"""Per-dataset conventions (how a video name gives its activity, sample rate) and `load_dataset`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from tasks.errors import DataError
from tasks.mstcn import read_split
from tasks.video import Video


def _token(index: int, dataset: str) -> Callable[[str], str]:
    def activity_of(name: str) -> str:
        tokens = name.split("_")
        if len(tokens) < 2:
            raise DataError(
                f"video {name!r}: a {dataset} video name needs '_'-separated tokens to give its "
                "activity"
            )
        return tokens[index]

    return activity_of


@dataclass(frozen=True)
class DatasetConvention:
    activity_of: Callable[[str], str]
    sample_rate: int


CONVENTIONS: dict[str, DatasetConvention] = {
    # P03_cam01_P03_cereals → cereals
    "breakfast": DatasetConvention(_token(-1, "breakfast"), sample_rate=1),
    # S1_Cheese_C1 → Cheese
    "gtea": DatasetConvention(_token(1, "gtea"), sample_rate=1),
    # 50Salads is one activity; its features are 30 fps and MS-TCN trains on every 2nd frame.
    "50salads": DatasetConvention(lambda name: "salad", sample_rate=2),
}


@dataclass
class ActionDataset:
    """One split of a dataset; video labels are mapping ids (indices into `actions`)."""

    name: str
    root: Path
    actions: list[str]
    train: list[Video]
    test: list[Video]
    background: tuple[str, ...] = ()
    activities: list[str] = field(default_factory=list)

    @property
    def videos(self) -> list[Video]:
        return self.train + self.test


def load_dataset(root: str | Path, dataset: str = "breakfast", split: int = 1,
                 sample_rate: int | None = None, background: Sequence[str] = ()) -> ActionDataset:
    """Read split `split` of an MS-TCN folder with the conventions of `dataset`.

    `background` names the labels that metrics may ignore; the default ignores none, as MS-TCN
    does for Breakfast's SIL.
    """
    if dataset not in CONVENTIONS:
        raise DataError(f"dataset: expected one of {sorted(CONVENTIONS)}, got {dataset!r}")
    convention = CONVENTIONS[dataset]
    rate = convention.sample_rate if sample_rate is None else sample_rate
    data = read_split(Path(root), split, convention.activity_of, rate)
    unknown = [name for name in background if name not in data.actions]
    if unknown:
        raise DataError(f"background: {unknown} not in {Path(root) / 'mapping.txt'}")
    activities = sorted({v.activity for v in data.train + data.test})
    return ActionDataset(dataset, Path(root), data.actions, data.train, data.test,
                         tuple(background), activities)
