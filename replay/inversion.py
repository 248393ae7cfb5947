"""Latent codes for segments: network inversion (P Eq. 8) and the encoder-mean baseline (P §4.2).

Each segment of length l gets k = min(K, l) codes, code j held constant over the j-th of k
contiguous chunks (`np.array_split` boundaries), while the coherence still runs 0 -> 1 over the whole
segment. Every segment of a task lives in one tensor: a frame -> code index maps codes to frames,
so one decoder pass covers all frames and per-segment losses come from one index_add.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from replay.exemplars import segment_means
from replay.tca import TCADecoder, TCAEncoder
from tasks.errors import DataError


def chunk_index(lengths: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Code index of every frame of consecutive segments and the number of codes of each segment.

    Segment s has min(k, l_s) codes; frame p of it belongs to the chunk `np.array_split` puts it
    in (the first l mod k chunks are one frame longer). Returns ((sum l,) int64, (S,) int64).
    """
    if k < 1:
        raise ValueError(f"K must be >= 1, got {k}")
    lengths = np.asarray(lengths, dtype=np.int64)
    codes_per_segment = np.minimum(k, lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(lengths.sum()) - np.repeat(starts, lengths)
    base = np.repeat(lengths // codes_per_segment, lengths)
    longer = np.repeat(lengths % codes_per_segment, lengths)
    in_longer = longer * (base + 1)
    chunk = np.where(position < in_longer, position // (base + 1), longer + (position - in_longer) // base)
    first_code = np.repeat(np.cumsum(codes_per_segment) - codes_per_segment, lengths)
    return first_code + chunk, codes_per_segment


def _segment_of_frame(lengths: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(lengths)), lengths)


def invert_codes(
    decoder: TCADecoder,
    features: torch.Tensor,
    labels: torch.Tensor,
    coherence: torch.Tensor,
    lengths: np.ndarray,
    k: int = 1,
    steps: int = 10_000,
    lr: float = 1e-2,
    seed: int = 0,
    device: torch.device = torch.device("cpu"),
    progress: bool = False,
    on_step: Callable[[int, torch.Tensor], None] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Codes minimising ||D(z, a, c) - x||^2 per segment with the decoder frozen (Adam on z only).

    features (N, D), labels (N,) int64, coherence (N,) are the frames of the consecutive segments
    with `lengths`. Codes start from N(0, I) (seeded). The loss of iterate t (t = 0 .. steps, the
    last after the final update) is evaluated for every segment; each segment keeps the codes of
    its lowest-loss iterate. `on_step(t, per-segment loss)` sees each evaluation.
    Returns (codes (sum min(K, l), d), per-segment loss of the kept codes (S,)), on `device`;
    the loss is the squared error summed over D, averaged over the segment's frames.
    """
    code_of_frame_np, codes_per_segment = chunk_index(lengths, k)
    code_of_frame = torch.from_numpy(code_of_frame_np).to(device)
    segment_of_frame = torch.from_numpy(_segment_of_frame(lengths)).to(device)
    segment_of_code = torch.from_numpy(_segment_of_frame(codes_per_segment)).to(device)
    frames = torch.from_numpy(np.asarray(lengths, dtype=np.float32)).to(device)
    x, labels, coherence = features.to(device), labels.to(device), coherence.to(device)

    generator = torch.Generator(device=device).manual_seed(seed)
    z = torch.randn(int(codes_per_segment.sum()), decoder.latent, generator=generator, device=device)
    z.requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    best = z.detach().clone()
    best_loss = torch.full((len(lengths),), float("inf"), device=device)
    bar = tqdm(range(steps + 1), desc="inversion", disable=not progress, leave=False)
    for step in bar:
        error = (decoder(z[code_of_frame], labels, coherence) - x).pow(2).sum(1)
        segment_loss = torch.zeros_like(best_loss).index_add_(0, segment_of_frame, error) / frames
        with torch.no_grad():
            improved = segment_loss < best_loss
            best_loss = torch.where(improved, segment_loss, best_loss)
            keep = improved[segment_of_code]
            best[keep] = z[keep]
        if on_step is not None:
            on_step(step, segment_loss.detach())
        if step == steps:
            break
        optimizer.zero_grad(set_to_none=True)
        # A sum of per-segment means: each segment's codes see only their own segment's gradient.
        segment_loss.sum().backward()
        optimizer.step()
        if progress and step % 50 == 0:
            bar.set_postfix(loss=f"{best_loss.mean().item():.4g}")
    unfinished = int((~torch.isfinite(best_loss)).sum())
    if unfinished:
        raise DataError(f"network inversion found no finite reconstruction for {unfinished} of {len(lengths)} "
                        f"segments; lower inversion_lr (now {lr:g}) or retrain the decoder")
    return best, best_loss


@torch.no_grad()
def encode_codes(
    encoder: TCAEncoder,
    features: torch.Tensor,
    labels: torch.Tensor,
    coherence: torch.Tensor,
    lengths: np.ndarray,
    k: int = 1,
    device: torch.device = torch.device("cpu"),
) -> torch.Tensor:
    """P's "Encoded" codes: per chunk the mean of the encoder means mu over its frames (no inversion).

    Same chunking as `invert_codes`; returns (sum min(K, l), d) on `device`.
    """
    code_of_frame, codes_per_segment = chunk_index(lengths, k)
    mu, _ = encoder(features.to(device), labels.to(device), coherence.to(device))
    # chunks are runs of consecutive frames, so their means are a segmented reduction
    frames_per_code = torch.from_numpy(np.bincount(code_of_frame, minlength=int(codes_per_segment.sum())))
    return segment_means(mu, frames_per_code.to(device))


@torch.no_grad()
def decode_codes(
    decoder: TCADecoder,
    codes: torch.Tensor,
    labels: torch.Tensor,
    coherence: torch.Tensor,
    lengths: np.ndarray,
    k: int,
) -> torch.Tensor:
    """(N, D) frames of consecutive segments from their codes, in one decoder call on codes' device."""
    code_of_frame = torch.from_numpy(chunk_index(lengths, k)[0]).to(codes.device)
    return decoder(codes[code_of_frame], labels.to(codes.device), coherence.to(codes.device))
