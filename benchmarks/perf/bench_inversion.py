"""Batched vs per-segment network inversion and decoding, on the same segments and decoder.

    python -m benchmarks.perf.bench_inversion --device cuda
    python -m benchmarks.perf.bench_inversion --device cpu --segments 100 --steps 20

Segment labels and lengths come from the breakfast-like procedural plans (real Breakfast length
statistics scaled by --length-scale); features are random and the decoder untrained, since the cost
of a step does not depend on either. Prints wall times and the speed-up ratios.
"""
from __future__ import annotations

import argparse
import time
from typing import Callable

import numpy as np
import torch

from replay.inversion import decode_codes, invert_codes
from replay.tca import TCADecoder
from tasks.procedural import GeneratorParams, plan_videos
from tasks.video import coherence


def _timed(device: torch.device, work: Callable[[], object]) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    work()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def _segments(count: int, length_scale: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    plans = plan_videos(GeneratorParams(length_scale=length_scale, seed=seed, videos_per_activity=146))
    labels = np.concatenate([plan.segment_actions for plan in plans])[:count]
    lengths = np.concatenate([plan.lengths for plan in plans])[:count]
    return labels.astype(np.int64), lengths.astype(np.int64)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50, help="inversion steps per run")
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--latent", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--classes", type=int, default=84)
    parser.add_argument("--K", type=int, default=1)
    parser.add_argument("--length-scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")

    seg_labels, lengths = _segments(args.segments, args.length_scale, args.seed)
    torch.manual_seed(args.seed)
    decoder = TCADecoder(args.dim, args.classes, args.latent, args.hidden).to(device).eval().requires_grad_(False)
    x = torch.randn(int(lengths.sum()), args.dim, device=device)
    labels = torch.from_numpy(np.repeat(seg_labels, lengths)).to(device)
    c = torch.from_numpy(coherence(lengths)).to(device)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    pieces = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    print(
        f"{len(lengths)} segments, {int(lengths.sum())} frames (median length {int(np.median(lengths))}), "
        f"D {args.dim}, d {args.latent}, h {args.hidden}, K {args.K}, {args.steps} steps, {device}"
    )

    def invert(part: slice, segment_lengths: np.ndarray) -> torch.Tensor:
        return invert_codes(
            decoder, x[part], labels[part], c[part], segment_lengths, k=args.K, steps=args.steps,
            seed=args.seed, device=device,
        )[0]

    invert(pieces[0], lengths[:1])  # warm-up: kernels, allocator
    batched = _timed(device, lambda: invert(slice(None), lengths))
    looped = _timed(device, lambda: [invert(part, lengths[i : i + 1]) for i, part in enumerate(pieces)])
    print(f"inversion  one tensor {batched:8.3f} s   per segment {looped:8.3f} s   speed-up {looped / batched:7.1f}x")

    codes = torch.randn(int(np.minimum(args.K, lengths).sum()), args.latent, device=device)
    first_code = np.concatenate([[0], np.cumsum(np.minimum(args.K, lengths))])
    batched = _timed(device, lambda: decode_codes(decoder, codes, seg_labels, lengths, args.K).cpu())
    looped = _timed(
        device,
        lambda: [
            decode_codes(decoder, codes[first_code[i] : first_code[i + 1]], seg_labels[i : i + 1], lengths[i : i + 1], args.K).cpu()
            for i in range(len(pieces))
        ],
    )
    print(f"decoding   one call   {batched:8.3f} s   per segment {looped:8.3f} s   speed-up {looped / batched:7.1f}x")


if __name__ == "__main__":
    main()
