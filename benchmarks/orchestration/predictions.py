"""What a run keeps of its per-frame predictions (SegmentationMetrics listeners).

- PredictionFiles (`output.save_predictions: last | all`): every test video's prediction after the
  last task (or after every task) in MS-TCN's results format under
  predictions/<run>/after_task<i>/<video>, and the ground truth in the run's label space under
  predictions/<run>/groundTruth/task<j>/<video>.txt, so that
  `itas eval --gt .../groundTruth/task<j> --pred .../after_task<i>` re-scores metrics.csv's row (i, j).
- RibbonRecorder: a few test videos of the first task, ground truth and prediction after every task
  as run-length segments, for the run record and the ribbon plot (results.ribbons).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from results.prediction_files import write_label_file, write_prediction_file
from tasks.safe_paths import check_name, inside
from tasks.video import segments

SAVE_PREDICTIONS = ("last", "all", "none")


class PredictionFiles:
    """Writes the predictions of every predictor; `folder_of(predictor)` is its run's folder
    (predictor "" is the model's head; e.g. iCaRL adds "nme")."""

    def __init__(self, folder_of: Callable[[str], Path], classes: Sequence[str], mode: str, last_task: int):
        self.folder_of, self.classes, self.mode = folder_of, np.asarray(classes), mode
        self.first_saved = last_task if mode == "last" else 0

    def __call__(self, train_task: int, eval_task: int, names: list[str], gts: list[np.ndarray],
                 preds: dict[str, list[np.ndarray]]) -> None:
        if train_task < self.first_saved:
            return
        for predictor, per_video in preds.items():
            folder = self.folder_of(predictor)
            for name, gt, pred in zip(names, gts, per_video):
                check_name(name, f"{folder}: test video")  # joined into the paths below
                if train_task == self.first_saved:
                    write_label_file(inside(folder, folder / "groundTruth" / f"task{eval_task}" / f"{name}.txt"),
                                     self.classes[gt])
                write_prediction_file(inside(folder, folder / f"after_task{train_task}" / name), self.classes[pred])


def run_length(labels: np.ndarray, classes: np.ndarray) -> list[list]:
    """[[class name, frames], ...] of a per-frame label array."""
    seg_labels, starts, ends = segments(labels)
    return [[str(classes[c]), int(e - s)] for c, s, e in zip(seg_labels, starts, ends)]


class RibbonRecorder:
    """The first `videos` test videos of task 0: their ground truth, and the head's prediction after
    every task, as run-length segments (`ribbons` in the run record)."""

    def __init__(self, classes: Sequence[str], videos: int = 3):
        self.classes, self.videos = np.asarray(classes), videos
        self.record: dict = {"videos": [], "truth": [], "after_task": []}

    def __call__(self, train_task: int, eval_task: int, names: list[str], gts: list[np.ndarray],
                 preds: dict[str, list[np.ndarray]]) -> None:
        if eval_task != 0:
            return
        if not self.record["videos"]:
            self.record["videos"] = names[: self.videos]
            self.record["truth"] = [run_length(gt, self.classes) for gt in gts[: self.videos]]
        self.record["after_task"].append([run_length(p, self.classes) for p in preds[""][: self.videos]])
