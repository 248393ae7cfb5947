"""The Avalanche benchmark of an incremental split: one experience per task, train and test streams.

Avalanche's `targets` holds one value per sample, so it carries the task index here (per-frame labels
travel inside the dict samples); nothing in itas reads Avalanche's targets for class semantics.
"""
from __future__ import annotations

from typing import Sequence

from avalanche.benchmarks.scenarios.dataset_scenario import benchmark_from_datasets
from avalanche.benchmarks.utils import AvalancheDataset
from avalanche.benchmarks.utils.data_attribute import DataAttribute

from tasks.torchdata import VideoDataset, pad_collate
from tasks.video import Video


def video_dataset(videos: Sequence[Video], task: int = 0) -> AvalancheDataset:
    return AvalancheDataset(
        [VideoDataset(videos)],
        data_attributes=[DataAttribute([task] * len(videos), "targets")],
        collate_fn=pad_collate,
    )


def make_benchmark(tasks: Sequence) -> object:
    """`tasks`: the scenario's Task objects (index, train, test). Returns a CLScenario."""
    return benchmark_from_datasets(
        train=[video_dataset(t.train, t.index) for t in tasks],
        test=[video_dataset(t.test, t.index) for t in tasks],
    )
