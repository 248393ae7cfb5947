"""Per-dataset conventions (how a video name gives its activity, sample rate) and `load_dataset`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import regex

from tasks.errors import DataError
from tasks.mstcn import read_split, read_text
from tasks.safe_paths import check_name
from tasks.video import Video


CUSTOM = "custom"
ACTIVITIES_FILE = "activities.txt"  # a dataset folder's own '<video> <activity>' list, used when present
REGEX_SECONDS = 0.5  # per video name: a sane pattern takes microseconds
CUSTOM_KEYS = "data.activities (a file of '<video> <activity>' lines) or data.activity_pattern (a regex)"


def _token(index: int, dataset: str) -> Callable[[str], str]:
    def activity_of(name: str) -> str:
        tokens = name.split("_")
        if len(tokens) < 2:
            raise DataError(
                f"video {name!r}: a {dataset} video name needs '_'-separated tokens to give its "
                f"activity; for another dataset use data.dataset: custom with {CUSTOM_KEYS}"
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


def read_activities(path: Path) -> dict[str, str]:
    """A custom dataset's activities file: `<video> <activity>` per line (video with or without
    .txt; blank lines and lines starting with # are skipped)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: activities file not found")
    activities: dict[str, str] = {}
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 2:
            raise DataError(f"{path}:{number}: expected '<video> <activity>', got {line.strip()!r}")
        video = check_name(fields[0].removesuffix(".txt"), f"{path}:{number}")
        check_name(fields[1], f"{path}:{number}")
        if video in activities:
            raise DataError(f"{path}:{number}: video {video!r} listed twice")
        activities[video] = fields[1]
    if not activities:
        raise DataError(f"{path}: no '<video> <activity>' lines")
    return activities


def custom_convention(activities: str | Path | None = None, activity_pattern: str | None = None,
                      sample_rate: int = 1) -> DatasetConvention:
    """Activities of a dataset with other naming: from a file, or the one group of a regex
    searched in each video name."""
    if (activities is None) == (activity_pattern is None):
        raise DataError(f"dataset custom: needs exactly one of {CUSTOM_KEYS}")
    if activities is not None:
        table = read_activities(Path(activities))

        def from_file(name: str) -> str:
            if name not in table:
                raise DataError(f"{activities}: no activity for video {name!r}")
            return table[name]

        return DatasetConvention(from_file, sample_rate)
    try:
        pattern = regex.compile(activity_pattern)
    except (regex.error, TypeError) as err:
        raise DataError(f"data.activity_pattern: {activity_pattern!r} is not a valid regex ({err})") from None
    if pattern.groups != 1:
        raise DataError(f"data.activity_pattern: {activity_pattern!r} needs exactly one capture group, "
                        f"has {pattern.groups}")

    def from_name(name: str) -> str:
        # The `regex` package's time limit: a pattern that backtracks catastrophically ('(a+)+$') on a
        # long name would otherwise hang the command.
        try:
            match = pattern.search(name, timeout=REGEX_SECONDS)
        except TimeoutError:
            raise DataError(f"data.activity_pattern: {activity_pattern!r} took over {REGEX_SECONDS:g} s on "
                            f"video {name!r}; simplify the pattern") from None
        if match is None or not match.group(1):
            raise DataError(f"video {name!r}: does not match data.activity_pattern {activity_pattern!r}")
        return match.group(1)

    return DatasetConvention(from_name, sample_rate)


def require_dataset_folder(root: str | Path) -> Path:
    """`root` if it looks like an MS-TCN folder (mapping.txt and splits/); else a DataError naming it."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: dataset folder not found")
    if not (root / "mapping.txt").is_file() or not (root / "splits").is_dir():
        raise DataError(f"{root}: not a dataset folder in the MS-TCN layout (expected mapping.txt, splits/, "
                        "features/, groundTruth/)")
    return root


def infer_dataset(root: str | Path) -> str | None:
    """breakfast, gtea or 50salads when the folder's name says so (e.g. data/50salads), else None."""
    name = Path(root).resolve().name.lower()
    return next((dataset for dataset in CONVENTIONS if dataset in name), None)


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


def dataset_convention(dataset: str, activities: str | Path | None = None,
                       activity_pattern: str | None = None) -> DatasetConvention:
    """The naming convention of `dataset`; `custom` builds it from the activities file or pattern."""
    if dataset == CUSTOM:
        return custom_convention(activities, activity_pattern)
    if dataset not in CONVENTIONS:
        raise DataError(f"dataset: expected one of {sorted(CONVENTIONS)} or {CUSTOM}, got {dataset!r}")
    return CONVENTIONS[dataset]


def load_dataset(root: str | Path, dataset: str = "breakfast", split: int = 1,
                 sample_rate: int | None = None, background: Sequence[str] = (),
                 activities: str | Path | None = None, activity_pattern: str | None = None) -> ActionDataset:
    """Read split `split` of an MS-TCN folder with the conventions of `dataset`; `custom` takes
    the activities from the `activities` file or the `activity_pattern` regex instead.

    `background` names the labels that metrics may ignore; the default ignores none, as MS-TCN
    does for Breakfast's SIL.
    """
    convention = dataset_convention(dataset, activities, activity_pattern)
    rate = convention.sample_rate if sample_rate is None else sample_rate
    data = read_split(Path(root), split, convention.activity_of, rate)
    unknown = [name for name in background if name not in data.actions]
    if unknown:
        raise DataError(f"background: {unknown} not in {Path(root) / 'mapping.txt'}")
    activities = sorted({v.activity for v in data.train + data.test})
    return ActionDataset(dataset, Path(root), data.actions, data.train, data.test,
                         tuple(background), activities)
