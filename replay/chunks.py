"""Frames -> codes and conditions of consecutive segments, built by tensor ops on the device.

Segment s of length l has k = min(K, l) codes; code j is held constant over the j-th of k contiguous
chunks (`np.array_split` boundaries: the first l mod k chunks are one frame longer), while the
coherence c = (i-1)/max(l-1, 1) runs 0 -> 1 over the whole segment. Only per-segment arrays cross
from the host; everything per frame is made where the decoder runs.
"""
from __future__ import annotations

import numpy as np
import torch


def _int64(values: np.ndarray | torch.Tensor, device: torch.device | None) -> torch.Tensor:
    return torch.as_tensor(values if torch.is_tensor(values) else np.asarray(values), dtype=torch.int64, device=device)


def _positions(lengths: torch.Tensor, frames: int) -> torch.Tensor:
    """(N,) position of every frame inside its segment."""
    starts = torch.cumsum(lengths, 0) - lengths
    return torch.arange(frames, device=lengths.device) - starts.repeat_interleave(lengths, output_size=frames)


def chunk_index(
    lengths: np.ndarray | torch.Tensor, k: int, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Code index of every frame of consecutive segments and the number of codes of each segment.

    Returns ((sum l,) int64, (S,) int64) on `device` (that of `lengths` when None).
    """
    if k < 1:
        raise ValueError(f"K must be >= 1, got {k}")
    lengths = _int64(lengths, device)
    frames = int(lengths.sum())
    codes_per_segment = lengths.clamp(max=k)
    position = _positions(lengths, frames)
    per_frame = lambda values: values.repeat_interleave(lengths, output_size=frames)  # noqa: E731
    base, longer = per_frame(lengths // codes_per_segment), per_frame(lengths % codes_per_segment)
    in_longer = longer * (base + 1)
    chunk = torch.where(position < in_longer, position // (base + 1), longer + (position - in_longer) // base)
    first_code = per_frame(torch.cumsum(codes_per_segment, 0) - codes_per_segment)
    return first_code + chunk, codes_per_segment


def frame_coherence(lengths: np.ndarray | torch.Tensor, device: torch.device | None = None) -> torch.Tensor:
    """(N,) float32 coherence of every frame, equal to the numpy `tasks.video.coherence` (division
    in float64, then rounded)."""
    lengths = _int64(lengths, device)
    frames = int(lengths.sum())
    denominator = (lengths - 1).clamp(min=1).repeat_interleave(lengths, output_size=frames)
    return (_positions(lengths, frames).double() / denominator.double()).float()
