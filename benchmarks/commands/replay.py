"""`itas replay`: decode a saved memory file into an MS-TCN data folder (features, groundTruth,
mapping.txt, a train bundle), e.g. to share a condensed dataset or train another codebase on it."""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from replay.files import load_memory
from tasks.atomic_files import writable_folder
from tasks.errors import DataError, first_line
from tasks.mstcn import write_dataset
from tasks.video import Video

BUNDLE = "train.split1"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="decode a saved memory file into an MS-TCN data folder",
        description="Load a memory file (written by `itas run` with output.save_memories: true, as "
        "<out>/memories/<run>.pt) and write what it replays as an MS-TCN folder: features/<vid>.npy "
        "(D, T), groundTruth/<vid>.txt, mapping.txt (the run's label space), "
        f"splits/{BUNDLE}.bundle and memory.json (what was stored, in bytes). Latent memories are "
        "decoded in one batched call per task on --device.",
    )
    parser.add_argument("memory", type=Path, metavar="MEMORY", help="a memories/<run>.pt file")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="new (or empty) output folder")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default: auto)")
    parser.set_defaults(handler=run)


def file_name(video: Video) -> str:
    """'replay:<task>:<name>' → '<name>', with ':' (tca's 'sample<i>:<source>') made file-safe; the
    Breakfast activity (last '_' token) survives."""
    return video.name.split(":", 2)[-1].replace(":", "_")


def check_replayed(videos: list[Video], path: Path) -> None:
    """What a memory decoded is checked before a file is written: one feature width (the odd video
    named), finite values, one label per frame."""
    if not videos:
        return
    width, count = Counter(video.features.shape[-1] for video in videos).most_common(1)[0]
    for video in videos:
        if video.features.ndim != 2 or video.features.shape[-1] != width:
            raise DataError(f"{path}: decoded {video.name} has features of shape {video.features.shape}, "
                            f"but {count} of {len(videos)} videos have width {width}")
        if not np.isfinite(video.features).all():
            raise DataError(f"{path}: decoded {video.name} has NaN or inf features")
        if len(video.labels) != len(video.features):
            raise DataError(f"{path}: decoded {video.name} has {len(video.features)} frames "
                            f"but {len(video.labels)} labels")


def run(args: argparse.Namespace) -> int:
    from benchmarks.orchestration.runner import resolve_device  # imports Avalanche: not for `--help`

    device = resolve_device(args.device)
    loaded = load_memory(args.memory)
    try:
        videos = loaded.memory.replay(device)
    except (RuntimeError, ValueError, IndexError) as err:
        raise DataError(f"{args.memory}: corrupted memory file, cannot decode it ({first_line(err)})") from None
    check_replayed(videos, args.memory)
    names = [file_name(video) for video in videos]
    if len(set(names)) != len(names):
        raise DataError(f"{args.memory}: two replayed videos share a name; cannot write one file each")
    description = {
        "memory": loaded.name,
        "params": loaded.params,
        "budget": loaded.memory.budget.label,
        "stored": {str(task): held for task, held in loaded.memory.stored().items()},
        "bytes": loaded.memory.nbytes(),
        "videos": len(videos),
        "frames": sum(video.num_frames for video in videos),
    }
    writable_folder(args.out.parent, "--out")
    write_dataset(
        args.out, loaded.classes,
        ((name, video.features, video.labels) for name, video in zip(names, videos)),
        {BUNDLE: names}, extra_files={"memory.json": json.dumps(description, indent=1) + "\n"},
    )
    print(f"[itas] {len(videos)} videos ({description['frames']} frames) of {loaded.name} -> {args.out}")
    return 0
