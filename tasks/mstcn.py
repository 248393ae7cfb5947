"""Reader and writer for the MS-TCN dataset layout.

    features/<vid>.npy            float32 (D, T)  (transposed to (T, D) on load)
    groundTruth/<vid>.txt         one label name per frame per line
    mapping.txt                   lines "<id> <name>", ids 0..C-1
    splits/{train,test}.split<k>.bundle   one "<vid>.txt" per line

Every problem with the files is a DataError naming the file; the checks run before any Video
is built so a bad dataset never reaches training.
"""
from __future__ import annotations

import os
from collections import Counter
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from tasks.atomic_files import TEMP_PREFIX
from tasks.errors import DataError, first_line
from tasks.video import Video

# Feature extractors often emit a frame or two more (or fewer) than the annotation has.
MAX_LENGTH_MISMATCH = 2
NPY_MAGIC = b"\x93NUMPY"
SPLIT_PARTS = ("train", "test")


@dataclass
class MSTCNSplit:
    """One standard split of an MS-TCN folder: labels are mapping ids."""

    actions: list[str]
    train: list[Video]
    test: list[Video]


def read_text(path: Path) -> str:
    """A text file as UTF-8 (a byte-order mark is dropped); DataError naming the file otherwise."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})") from None


def read_mapping(path: Path) -> list[str]:
    """Action names in id order; ids must be exactly 0..C-1, names unique."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: mapping file not found")
    by_id: dict[int, str] = {}
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].lstrip("-").isdigit():
            raise DataError(f"{path} line {number}: expected '<id> <name>', got {line.strip()!r}")
        action_id, name = int(parts[0]), parts[1]
        if action_id in by_id or name in by_id.values():
            raise DataError(f"{path} line {number}: id {action_id} or name {name!r} repeated")
        by_id[action_id] = name
    if not by_id:
        raise DataError(f"{path}: no actions listed")
    if sorted(by_id) != list(range(len(by_id))):
        raise DataError(f"{path}: ids must be 0..{len(by_id) - 1}, got {sorted(by_id)}")
    return [by_id[i] for i in range(len(by_id))]


def read_bundle(path: Path) -> list[str]:
    """Video names listed in a split bundle (the '.txt' suffix removed)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: split file not found")
    names = [line.strip() for line in read_text(path).splitlines() if line.strip()]
    if not names:
        raise DataError(f"{path}: empty split, no videos listed")
    return [name[: -len(".txt")] if name.endswith(".txt") else name for name in names]


def read_labels(path: Path, action_ids: dict[str, int]) -> np.ndarray:
    """Per-frame mapping ids of one groundTruth file."""
    lines = read_text(path).split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if not lines:
        raise DataError(f"{path}: no labels")
    labels = np.empty(len(lines), dtype=np.int64)
    for number, line in enumerate(lines, start=1):
        label = line.strip()
        if label not in action_ids:
            raise DataError(f"{path} line {number}: label {label!r} not in mapping.txt")
        labels[number - 1] = action_ids[label]
    return labels


def read_features(path: Path) -> np.ndarray:
    """(T, D) float32 from a (D, T) .npy file."""
    with open(path, "rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
    if not magic:
        raise DataError(f"{path}: empty file (0 bytes), expected a (D, T) float32 .npy array")
    if magic != NPY_MAGIC:
        raise DataError(f"{path}: not a .npy file (no NumPy header), expected a (D, T) float32 array")
    try:
        features = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:
        raise DataError(f"{path}: not a readable .npy array ({first_line(err)})") from None
    if features.ndim != 2:
        raise DataError(f"{path}: expected a 2-d (D, T) array, got shape {features.shape}")
    if not np.issubdtype(features.dtype, np.number):
        raise DataError(f"{path}: expected numeric features, got dtype {features.dtype}")
    features = np.ascontiguousarray(features.T, dtype=np.float32)
    if not np.isfinite(features).all():
        raise DataError(f"{path}: features contain NaN or inf")
    return features


def _read_video(root: Path, name: str, action_ids: dict[str, int], activity: str,
                sample_rate: int) -> tuple[Video, bool]:
    """One video and whether its features and labels had to be cut to the same length."""
    feature_path = root / "features" / f"{name}.npy"
    label_path = root / "groundTruth" / f"{name}.txt"
    if not feature_path.is_file():
        raise DataError(f"{feature_path}: feature file not found (listed in a split bundle)")
    if not label_path.is_file():
        raise DataError(f"{label_path}: groundTruth file not found (listed in a split bundle)")
    features = read_features(feature_path)
    labels = read_labels(label_path, action_ids)
    mismatch = abs(len(features) - len(labels))
    if mismatch > MAX_LENGTH_MISMATCH:
        transposed = " (transposed? features must be (D, T))" if features.shape[1] == len(labels) else ""
        raise DataError(
            f"{feature_path}: {len(features)} feature frames but {len(labels)} labels in "
            f"{label_path.name} (at most {MAX_LENGTH_MISMATCH} frames difference allowed){transposed}"
        )
    length = min(len(features), len(labels))
    video = Video(name, activity, features[:length:sample_rate], labels[:length:sample_rate])
    return video, mismatch > 0


def read_split(root: Path, split: int, activity_of: Callable[[str], str],
               sample_rate: int = 1) -> MSTCNSplit:
    """Read split `split` of an MS-TCN folder; `activity_of` maps a video name to its activity."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: dataset folder not found")
    if sample_rate < 1:
        raise DataError(f"sample_rate: expected a positive integer, got {sample_rate}")
    if not (root / "splits").is_dir():
        raise DataError(f"{root / 'splits'}: splits folder not found")
    actions = read_mapping(root / "mapping.txt")
    action_ids = {name: i for i, name in enumerate(actions)}
    parts: dict[str, list[Video]] = {}
    cut: list[str] = []
    for part in SPLIT_PARTS:
        videos = []
        for name in read_bundle(root / "splits" / f"{part}.split{split}.bundle"):
            video, was_cut = _read_video(root, name, action_ids, activity_of(name), sample_rate)
            videos.append(video)
            if was_cut:
                cut.append(name)
        parts[part] = videos
    videos = parts["train"] + parts["test"]
    dims = Counter(video.dim for video in videos)
    majority, count = dims.most_common(1)[0]
    odd = next((v for v in videos if v.dim != majority), None)
    if odd is not None:
        raise DataError(
            f"{root / 'features' / (odd.name + '.npy')}: feature dimension {odd.dim}, but "
            f"{count} of {len(videos)} videos have {majority}"
        )
    if cut:
        warnings.warn(
            f"{root}: features and labels differ by at most {MAX_LENGTH_MISMATCH} frames in "
            f"{len(cut)} videos (first: {cut[0]}); cut each to the shorter length",
            stacklevel=2,
        )
    return MSTCNSplit(actions, parts["train"], parts["test"])


def write_dataset(out: Path, actions: list[str], videos: Iterable[tuple[str, np.ndarray, np.ndarray]],
                  bundles: dict[str, list[str]], extra_files: dict[str, str] | None = None) -> Path:
    """Write an MS-TCN folder atomically: all files go to a temporary sibling that is renamed to
    `out` at the end, so `out` is either complete or absent.

    videos: (name, features (T, D), labels (T,) mapping ids); bundles: e.g. {"train.split1": names}.
    `out` must not exist or be an empty folder.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(f"{out}: output exists and is not an empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{out.name}.", dir=out.parent))
    try:
        (tmp / "features").mkdir()
        (tmp / "groundTruth").mkdir()
        (tmp / "splits").mkdir()
        (tmp / "mapping.txt").write_text("".join(f"{i} {a}\n" for i, a in enumerate(actions)))
        names = np.asarray(actions)
        for name, features, labels in videos:
            np.save(tmp / "features" / f"{name}.npy", np.ascontiguousarray(features.T, np.float32))
            (tmp / "groundTruth" / f"{name}.txt").write_text("\n".join(names[labels]) + "\n")
        for bundle, listed in bundles.items():
            (tmp / "splits" / f"{bundle}.bundle").write_text("".join(f"{n}.txt\n" for n in listed))
        for filename, text in (extra_files or {}).items():
            (tmp / filename).write_text(text)
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
