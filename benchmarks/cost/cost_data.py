"""What a config's data costs, without loading features: per video its activity, split and frame
count, the feature dimension and the number of classes (`itas estimate`).

Procedural data: the generator's plan (names, splits, segment lengths) without rendering a frame.
A real MS-TCN folder: the split bundles, groundTruth line counts and one feature file's header.
A real Breakfast folder that is absent: Breakfast's published totals (1,712 videos, 3,590,899 frames
at 15 fps, 48 actions, 84 activity/action classes; I3D features D = 2048), spread evenly over its 10
activities, with split 1's test persons (13 of 52), and a note saying so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path


from tasks.datasets import dataset_convention
from tasks.errors import DataError
from tasks.mstcn import read_bundle, read_npy_header, read_text
from tasks.procedural import GeneratorParams, plan_videos
from tasks.splits import group_activities, task_order

BREAKFAST = {"videos": 1712, "frames": 3_590_899, "dim": 2048, "disjoint": 84, "blurry": 48,
             "activities": ("cereals", "coffee", "friedegg", "juice", "milk", "pancake", "salat",
                            "sandwich", "scrambledegg", "tea"),
             "test_fraction": 13 / 52}


@dataclass(frozen=True)
class VideoCount:
    activity: str
    split: str  # train | test
    frames: int


@dataclass
class DataProfile:
    videos: list[VideoCount]
    dim: int
    num_classes: int
    source: str  # where the counts come from
    note: str = ""

    def tasks(self, num_tasks: int, seed: int) -> list[tuple[list[int], int]]:
        """Per task of seed's order: its training videos' frame counts and its test frames."""
        activities = sorted({video.activity for video in self.videos})
        tasks = []
        for group in group_activities(task_order(activities, seed), num_tasks):
            train = [v.frames for v in self.videos if v.activity in group and v.split == "train"]
            test = sum(v.frames for v in self.videos if v.activity in group and v.split == "test")
            tasks.append((train, test))
        return tasks


def _procedural(data: dict, labels: str) -> DataProfile:
    params = GeneratorParams(data["preset"], data["dim"], data["videos_per_activity"], data["length_scale"],
                             data["seed"])
    plans = plan_videos(params)
    pairs = {(plan.activity, int(action)) for plan in plans for action in plan.segment_actions}
    classes = len(pairs) if labels == "disjoint" else len({action for _, action in pairs})
    videos = [VideoCount(plan.activity, plan.split, int(plan.lengths.sum())) for plan in plans]
    return DataProfile(videos, data["dim"], classes, f"procedural {data['preset']} plan")


def _folder(root: Path, data: dict, labels: str) -> DataProfile:
    convention = dataset_convention(data["dataset"], data["activities"], data["activity_pattern"])
    rate = data["sample_rate"] or convention.sample_rate
    videos, pairs = [], set()
    for split in ("train", "test"):
        for name in read_bundle(root / "splits" / f"{split}.split{data['split']}.bundle"):
            path = root / "groundTruth" / f"{name}.txt"
            if not path.is_file():
                raise DataError(f"{path}: ground-truth file not found")
            lines = read_text(path).split()
            activity = convention.activity_of(name)
            pairs |= {(activity, label) for label in set(lines)}
            videos.append(VideoCount(activity, split, math.ceil(len(lines) / rate)))
    first = next((root / "features").glob("*.npy"), None)
    if first is None:
        raise DataError(f"{root / 'features'}: no .npy feature files")
    shape, _ = read_npy_header(first)
    if len(shape) != 2:
        raise DataError(f"{first}: expected a 2-d (D, T) array, got shape {shape}")
    dim = shape[0]  # MS-TCN features are (D, T)
    classes = len(pairs) if labels == "disjoint" else len({label for _, label in pairs})
    return DataProfile(videos, dim, classes, f"data folder {root}")


def _breakfast_totals(labels: str, root: str) -> DataProfile:
    per_activity = BREAKFAST["videos"] / len(BREAKFAST["activities"])
    frames = round(BREAKFAST["frames"] / BREAKFAST["videos"])
    videos = []
    for index, activity in enumerate(BREAKFAST["activities"]):
        count = int(per_activity) + (1 if index < round(10 * (per_activity % 1)) else 0)
        tests = round(count * BREAKFAST["test_fraction"])
        videos += [VideoCount(activity, "test" if i < tests else "train", frames) for i in range(count)]
    note = (f"{root} not found: Breakfast's published totals are used ({BREAKFAST['videos']} videos, "
            f"{BREAKFAST['frames']:,} frames, D {BREAKFAST['dim']}, spread evenly over its 10 activities, "
            "split 1 tests 13 of 52 persons); every video is taken at the mean length, so padding in "
            "batches of unequal videos is not counted")
    return DataProfile(videos, BREAKFAST["dim"], BREAKFAST[labels], "Breakfast published totals", note)


def data_profile(cfg: dict) -> DataProfile:
    """The counts of the config's data (see the module docstring); DataError when unknowable."""
    data, labels = cfg["data"], cfg["protocol"]["labels"]
    if not data["root"]:
        return _procedural(data, labels)
    root = Path(data["root"])
    if root.is_dir():
        return _folder(root, data, labels)
    if data["dataset"] == "breakfast":
        return _breakfast_totals(labels, str(root))
    raise DataError(f"data.root: {root} not found (estimates without the data know only Breakfast's counts)")
