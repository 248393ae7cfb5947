"""Latent codes for segments: network inversion (P Eq. 8) and the encoder-mean baseline (P §4.2).

Each segment of length l gets k = min(K, l) codes, code j held constant over the j-th of k
contiguous chunks (`np.array_split` boundaries), while the coherence still runs 0 -> 1 over the whole
segment (replay.chunks). Every segment of a task lives in one tensor: a frame -> code index maps
codes to frames, so one pass covers all frames and per-segment losses are one segmented reduction.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from replay.chunks import chunk_index, frame_coherence
from replay.exemplars import segment_means
from replay.objectives import OBJECTIVES
from replay.tca import TCADecoder, TCAEncoder
from tasks.errors import DataError
from tasks.precision import exact_matmuls


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
    form: str = "auto",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Codes minimising ||D(z, a, c) - x||^2 per segment with the decoder frozen (Adam on z only).

    features (N, D), labels (N,) int64, coherence (N,) are the frames of the consecutive segments
    with `lengths`. Codes start from N(0, I) (seeded). The loss of iterate t (t = 0 .. steps, the
    last after the final update) is evaluated for every segment; each segment keeps the codes of
    its lowest-loss iterate. `on_step(t, per-segment loss)` sees each evaluation. `form` picks the
    objective's evaluation (replay.objectives): "gram" (O(h²) per frame per step), "direct"
    (O(h·D): decode every frame) or "auto", the cheaper of the two (gram when h <= D); both are
    the same loss and gradient up to float rounding.
    Returns (codes (sum min(K, l), d), per-segment loss of the kept codes (S,)), on `device`;
    the loss is the squared error summed over D, averaged over the segment's frames.
    """
    if form == "auto":
        form = "gram" if decoder.hidden <= decoder.dim else "direct"
    code_of_frame, codes_per_segment = chunk_index(lengths, k, device)
    num_codes = int(codes_per_segment.sum())
    segment_lengths = torch.as_tensor(np.asarray(lengths), dtype=torch.int64, device=device)
    objective = OBJECTIVES[form](
        decoder, features.to(device), labels.to(device), coherence.to(device), code_of_frame,
        torch.bincount(code_of_frame, minlength=num_codes), segment_lengths,
    )
    segment_of_code = torch.arange(len(segment_lengths), device=device).repeat_interleave(
        codes_per_segment, output_size=num_codes
    )

    generator = torch.Generator(device=device).manual_seed(seed)
    z = torch.randn(num_codes, decoder.latent, generator=generator, device=device)
    z.requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr, fused=True)
    best = z.detach().clone()
    best_loss = torch.full((len(segment_lengths),), float("inf"), device=device)
    bar = tqdm(range(steps + 1), desc="inversion", disable=not progress, leave=False)
    with exact_matmuls():  # whatever train.precision says (tasks/precision.py)
        for step in bar:
            segment_loss, grad = objective(z.detach())
            improved = segment_loss < best_loss
            best_loss = torch.where(improved, segment_loss, best_loss)
            keep = improved[segment_of_code]
            best[keep] = z.detach()[keep]
            if on_step is not None:
                on_step(step, segment_loss)
            if step == steps:
                break
            z.grad = grad
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
    code_of_frame, codes_per_segment = chunk_index(lengths, k, device)
    mu, _ = encoder(features.to(device), labels.to(device), coherence.to(device))
    # chunks are runs of consecutive frames, so their means are a segmented reduction
    return segment_means(mu, torch.bincount(code_of_frame, minlength=int(codes_per_segment.sum())))


@torch.no_grad()
def decode_codes(
    decoder: TCADecoder,
    codes: torch.Tensor,
    segment_labels: np.ndarray | torch.Tensor,
    lengths: np.ndarray | torch.Tensor,
    k: int,
) -> torch.Tensor:
    """(N, D) frames of consecutive segments (labels, lengths) from their codes, on codes' device.

    One decoder pass over all frames; only per-segment arrays leave the host, the per-frame index
    and coherence are built on the device, and the one-hot product is a row gather.
    """
    code_of_frame, codes_per_segment = chunk_index(lengths, k, codes.device)
    code_labels = torch.as_tensor(np.asarray(segment_labels), dtype=torch.int64, device=codes.device)
    code_labels = code_labels.repeat_interleave(codes_per_segment, output_size=len(codes))
    return decoder.decode(codes, code_of_frame, code_labels, frame_coherence(lengths, codes.device))
