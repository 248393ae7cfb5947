"""Evaluate a folder of per-frame prediction files against a groundTruth folder.

Both sides accept the two layouts TAS codebases write: one label name per line (groundTruth), or
MS-TCN's results file, a header line ("### Frame level recognition: ###") followed by the labels
separated by spaces.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from results.metrics import segmentation_scores
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError
from tasks.mstcn import read_text
from tasks.safe_paths import check_name

MSTCN_HEADER = "### Frame level recognition: ###"


def write_prediction_file(path: Path, labels: Sequence[str]) -> Path:
    """MS-TCN's results file (its predict() writes exactly this): the header line, then the
    per-frame label names separated by spaces."""
    return write_text_atomically(path, f"{MSTCN_HEADER}\n{' '.join(labels)}")


def write_label_file(path: Path, labels: Sequence[str]) -> Path:
    """A groundTruth file: one label name per line."""
    return write_text_atomically(path, "".join(f"{label}\n" for label in labels))


def read_label_file(path: Path) -> np.ndarray:
    """Per-frame label names of one video, as a str array."""
    path = Path(path)
    try:
        lines = read_text(path).strip().splitlines()
    except OSError as err:
        raise DataError(f"{path}: cannot read label file ({err.strerror})") from None
    except DataError as err:
        raise DataError(f"{path}: cannot read label file ({str(err).removeprefix(f'{path}: ')})") from None
    if not lines:
        raise DataError(f"{path}: no labels (empty file)")
    if lines[0].lstrip().startswith("#") or (len(lines) == 2 and len(lines[1].split()) > 1):
        labels = " ".join(lines[1:]).split()
    else:
        labels = [line.strip() for line in lines]
        for number, (line, label) in enumerate(zip(lines, labels), start=1):
            if not label or len(label.split()) != 1:
                raise DataError(f"{path}:{number}: expected one label name per line, got {line!r}")
    if not labels:
        raise DataError(f"{path}: header line but no labels after it")
    return np.array(labels)


def prediction_path(pred_dir: Path, gt_file: Path) -> Path:
    """The prediction for groundTruth/<vid>.txt: <pred_dir>/<vid>.txt, or MS-TCN's <pred_dir>/<vid>."""
    for candidate in (pred_dir / gt_file.name, pred_dir / gt_file.stem):
        if candidate.is_file():
            return candidate
    raise DataError(f"{pred_dir / gt_file.name}: missing prediction for ground truth {gt_file}")


def evaluate_folders(gt_dir: Path, pred_dir: Path, background: Sequence[str] = ()) -> dict[str, float]:
    """Scores of every <gt_dir>/*.txt against its prediction file (see results.metrics)."""
    gt_dir, pred_dir = Path(gt_dir), Path(pred_dir)
    for folder, role in ((gt_dir, "ground-truth"), (pred_dir, "prediction")):
        if not folder.is_dir():
            raise DataError(f"{folder}: {role} folder does not exist")
    gt_files = sorted(gt_dir.glob("*.txt"))
    if not gt_files:
        raise DataError(f"{gt_dir}: no ground-truth .txt files")
    preds, gts = [], []
    for gt_file in gt_files:
        check_name(gt_file.stem, gt_dir)  # a file name with a line break would break the one-line error
        pred_file = prediction_path(pred_dir, gt_file)
        gt, pred = read_label_file(gt_file), read_label_file(pred_file)
        if len(pred) != len(gt):
            raise DataError(f"{pred_file}: {len(pred)} predicted frames but {gt_file} has {len(gt)}")
        preds.append(pred)
        gts.append(gt)
    return segmentation_scores(preds, gts, background)
