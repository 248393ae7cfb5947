"""Storage of every memory at Breakfast scale, from exact per-video costs (nothing is trained).

    python -m benchmarks.perf.bench_storage                       # D 2048, d 256, K 1, length scale 1
    python -m benchmarks.perf.bench_storage --K 8 --code-dtype int8

Transcripts come from the breakfast-like procedural plans at real Breakfast segment lengths
(146 videos per activity ≈ the ~1,460 training videos of split 1). Prints, per memory, the stored
bytes for ALL training videos, the ratio against the original float32 features, with and without
the ten per-task decoders, and the ratio predicted by Σ D·ℓ / Σ (min(K, ℓ)·d) for the codes.
"""
from __future__ import annotations

import argparse

import numpy as np

from replay.budget import Budget, format_bytes
from replay.memory import MemoryContext
from replay.registry import make_memory
from replay.transcripts import Transcripts
from tasks.procedural import GeneratorParams, plan_videos
from tasks.video import Video, tile_segments


def plan_as_videos(dim: int, length_scale: float, videos_per_activity: int, seed: int) -> list[Video]:
    """Videos whose features are a zero-stride view: nbytes reports T·D·4 without allocating it."""
    plans = plan_videos(GeneratorParams(dim=dim, length_scale=length_scale,
                                        videos_per_activity=videos_per_activity, seed=seed))
    videos = []
    for i, plan in enumerate(plans):
        labels = tile_segments(plan.segment_actions, plan.lengths).astype(np.int64)
        features = np.broadcast_to(np.zeros(1, np.float32), (len(labels), dim))
        videos.append(Video(f"v{i}", "any", features, labels))
    return videos


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--latent", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--classes", type=int, default=84)
    parser.add_argument("--K", type=int, default=1)
    parser.add_argument("--code-dtype", default="float32", choices=("float32", "float16", "int8"))
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--length-scale", type=float, default=1.0)
    parser.add_argument("--videos-per-activity", type=int, default=146)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    videos = plan_as_videos(args.dim, args.length_scale, args.videos_per_activity, args.seed)
    original = sum(v.features.nbytes for v in videos)
    ctx = MemoryContext(device=None, num_classes=args.classes)
    budget = Budget(videos=len(videos))
    latent = {"latent": args.latent, "hidden": args.hidden}
    memories = {
        "original": make_memory("original", budget),
        "mean": make_memory("mean", budget),
        "coreset": make_memory("coreset", budget),
        "encoded": make_memory("encoded", budget, K=args.K, code_dtype=args.code_dtype, **latent),
        "condensed": make_memory("condensed", budget, K=args.K, code_dtype=args.code_dtype, **latent),
    }
    lengths = Transcripts.from_videos(videos).lengths.astype(np.int64)
    predicted = args.dim * lengths.sum() / (np.minimum(args.K, lengths) * args.latent).sum()
    frames = sum(v.num_frames for v in videos)
    print(f"{len(videos)} videos, {len(lengths)} segments, {frames:,} frames; original features "
          f"{format_bytes(original)} (D {args.dim}); K {args.K}, d {args.latent}, codes {args.code_dtype}")
    print(f"{'memory':<10} {'stored':>10} {'+decoders':>10} {'ratio':>9} {'ratio+dec':>10}")
    for name, memory in memories.items():
        stored = sum(sum(memory.video_cost(v).values()) for v in videos)
        decoders = args.tasks * sum(memory.task_fixed_cost(0, videos[:1], ctx).values())
        print(f"{name:<10} {format_bytes(stored):>10} {format_bytes(stored + decoders):>10} "
              f"{original / stored:>8.1f}× {original / (stored + decoders):>9.1f}×")
    codes_only = sum(memories["condensed"].video_cost(v)["codes"] for v in videos)
    print(f"condensed codes alone: measured {original / codes_only:.1f}× vs predicted D·ℓ/(K·d) "
          f"{predicted:.1f}× (float32 codes; ratio {original / codes_only / predicted:.3f})")


if __name__ == "__main__":
    main()
