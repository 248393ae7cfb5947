"""Videos as a torch Dataset and the padded dict mini-batch every model in itas consumes."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from tasks.video import Video

PAD_LABEL = -100  # nn.CrossEntropyLoss's default ignore_index


class VideoDataset(Dataset):
    """A list of videos; item i is {"x": (T, D), "y": (T,), "video": name, "activity": name}."""

    def __init__(self, videos: Sequence[Video]):
        self.videos = list(videos)

    def __len__(self) -> int:
        return len(self.videos)

    def __getitem__(self, i: int) -> dict:
        v = self.videos[i]
        return {
            "x": torch.from_numpy(np.ascontiguousarray(v.features, dtype=np.float32)),
            "y": torch.from_numpy(np.ascontiguousarray(v.labels, dtype=np.int64)),
            "video": v.name,
            "activity": v.activity,
        }


def pad_collate(batch: list[dict]) -> dict:
    """Pad to the longest video: x (B, T, D) zeros, y (B, T) PAD_LABEL, mask (B, T) float."""
    lengths = [len(b["y"]) for b in batch]
    t_max, dim = max(lengths), batch[0]["x"].shape[1]
    x = torch.zeros(len(batch), t_max, dim)
    y = torch.full((len(batch), t_max), PAD_LABEL, dtype=torch.long)
    mask = torch.zeros(len(batch), t_max)
    for i, (b, n) in enumerate(zip(batch, lengths)):
        x[i, :n], y[i, :n], mask[i, :n] = b["x"], b["y"], 1.0
    return {
        "x": x,
        "y": y,
        "mask": mask,
        "video": [b["video"] for b in batch],
        "activity": [b["activity"] for b in batch],
    }
