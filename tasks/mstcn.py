"""Reader and writer for the MS-TCN dataset layout.

    features/<vid>.npy            float32 (D, T)  (transposed to (T, D) on load)
    groundTruth/<vid>.txt         one label name per frame per line
    mapping.txt                   lines "<id> <name>", ids 0..C-1
    splits/{train,test}.split<k>.bundle   one "<vid>.txt" per line

Every problem with the files is a DataError naming the file; the checks run before any Video
is built so a bad dataset never reaches training.
"""
from __future__ import annotations

import math
import os
from collections import Counter
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import psutil

from tasks.atomic_files import TEMP_PREFIX, current_umask, write_error
from tasks.errors import DataError, first_line
from tasks.safe_paths import check_name
from tasks.video import Video

# Feature extractors often emit a frame or two more (or fewer) than the annotation has.
MAX_LENGTH_MISMATCH = 2
NPY_MAGIC = b"\x93NUMPY"
NPY_MAX_HEADER = 10_000  # numpy's own default limit on a header's size
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
        # ASCII digits only: '²'.isdigit() is True, and int('²') fails.
        if len(parts) != 2 or not (parts[0].isascii() and parts[0].isdigit()):
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
    """Video names listed in a split bundle (the '.txt' suffix removed); each must be a plain file
    name (it is joined into features/ and groundTruth/ paths) and listed once."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: split file not found")
    names: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        name = check_name(line.strip().removesuffix(".txt"), f"{path} line {number}")
        if name in seen:
            raise DataError(f"{path} line {number}: video {name!r} listed twice")
        seen.add(name)
        names.append(name)
    if not names:
        raise DataError(f"{path}: empty split, no videos listed")
    return names


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


def read_npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from a .npy header, read without touching the data: a header claiming more
    data than the file holds (10^6 x 10^6 floats in a small file) is refused, not a MemoryError."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
        if not magic:
            raise DataError(f"{path}: empty file (0 bytes), expected a (D, T) float32 .npy array")
        if magic != NPY_MAGIC:
            raise DataError(f"{path}: not a .npy file (no NumPy header), expected a (D, T) float32 array")
        handle.seek(0)
        try:
            version = np.lib.format.read_magic(handle)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read(handle, max_header_size=NPY_MAX_HEADER)
        except (ValueError, EOFError, SyntaxError) as err:
            raise DataError(f"{path}: not a readable .npy array ({first_line(err)})") from None
        data_start = handle.tell()
    if dtype.hasobject:
        raise DataError(f"{path}: expected numeric features, got dtype {dtype} (Python objects)")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > size - data_start:
        raise DataError(f"{path}: not a readable .npy array (its header claims shape {shape} of {dtype}, "
                        f"{nbytes} bytes, but the file holds {size - data_start})")
    return shape, dtype


def read_features(path: Path) -> np.ndarray:
    """(T, D) float32 from a (D, T) .npy file of real numbers."""
    path = Path(path)
    shape, dtype = read_npy_header(path)
    nbytes, available = math.prod(shape) * dtype.itemsize, psutil.virtual_memory().available
    if 2 * nbytes > available:  # the array and its float32 (T, D) copy, checked before either exists
        raise DataError(f"{path}: shape {shape} of {dtype} needs {2 * nbytes / 2**30:.1f} GiB, "
                        f"more than the {available / 2**30:.1f} GiB of memory available")
    if len(shape) != 2:
        raise DataError(f"{path}: expected a 2-d (D, T) array, got shape {shape}")
    if not np.issubdtype(dtype, np.number):
        raise DataError(f"{path}: expected numeric features, got dtype {dtype}")
    if np.issubdtype(dtype, np.complexfloating):
        raise DataError(f"{path}: expected real features, got complex dtype {dtype}")
    if shape[0] == 0:
        raise DataError(f"{path}: features of zero width (shape {shape}), expected (D, T) with D >= 1")
    try:
        features = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:
        raise DataError(f"{path}: not a readable .npy array ({first_line(err)})") from None
    with np.errstate(over="ignore"):  # values beyond float32's range become inf, refused below
        features = np.ascontiguousarray(features.T, dtype=np.float32)
    if not np.isfinite(features).all():
        raise DataError(f"{path}: features contain NaN or inf (or values beyond float32's range)")
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
    bundles = {part: root / "splits" / f"{part}.split{split}.bundle" for part in SPLIT_PARTS}
    listed = {part: read_bundle(path) for part, path in bundles.items()}
    # Refused, not warned: a test video trained on inflates every metric of the benchmark, and no
    # protocol of this suite evaluates on training videos.
    both = sorted(set(listed["train"]) & set(listed["test"]))
    if both:
        raise DataError(f"{bundles['test']}: video {both[0]!r} is also in {bundles['train'].name} "
                        f"({len(both)} shared); train and test must not overlap")
    parts: dict[str, list[Video]] = {}
    cut: list[str] = []
    for part in SPLIT_PARTS:
        videos = []
        for name in listed[part]:
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
            check_name(name, f"{out}: video")
            np.save(tmp / "features" / f"{name}.npy", np.ascontiguousarray(features.T, np.float32))
            (tmp / "groundTruth" / f"{name}.txt").write_text("\n".join(names[labels]) + "\n")
        for bundle, listed in bundles.items():
            (tmp / "splits" / f"{bundle}.bundle").write_text("".join(f"{n}.txt\n" for n in listed))
        for filename, text in (extra_files or {}).items():
            (tmp / filename).write_text(text)
        # mkdtemp makes the folder private (0700); the result gets the mode a plain mkdir would.
        os.chmod(tmp, 0o777 & ~current_umask())
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise write_error(err, out) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
