"""One trained TCA per (run seed, task, TCA parameters, training frames), shared through a folder.

`tca`, `encoded` and `condensed` with equal TCA parameters train the very same model on a task: the
TCA seed depends only on the run seed and the task (replay.latent), the frames are the task's
training videos. So an experiment trains it once. The first memory to reach a task trains it and
writes FOLDER/<fingerprint>.pt atomically while holding FOLDER/<fingerprint>.pt.lock; the others,
in this process or another (`--jobs`, submitit jobs on one machine or on a cluster file system with
working locks, a resumed run), wait on that lock and then load the file. A loaded model holds the
trained weights exactly, so replay and metrics are bit-identical to training it again.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from filelock import FileLock

from replay.tca import TCA, train_tca
from tasks.atomic_files import write_atomically
from tasks.errors import DataError, first_line
from tasks.video import Video

TRAINED, LOADED = "trained", "loaded"


@dataclass(frozen=True)
class TCAOrigin:
    """How a task's TCA came to be: `TRAINED` here or `LOADED` from `path` (None: not shared)."""

    how: str
    path: Path | None
    seconds: float

    def record(self, task: int) -> dict:
        """The run record's entry for this task."""
        return {"task": task, "tca": self.how, "file": self.path.name if self.path else None,
                "seconds": round(self.seconds, 2)}


def frames_digest(videos: Sequence[Video]) -> str:
    """Hash of the training frames in order (names, features, labels): what the TCA is trained on."""
    digest = hashlib.blake2b(digest_size=16)
    for video in videos:
        digest.update(video.name.encode())
        digest.update(np.ascontiguousarray(video.features).data)
        digest.update(np.ascontiguousarray(video.labels, dtype=np.int64).data)
    return digest.hexdigest()


def tca_fingerprint(videos: Sequence[Video], num_classes: int, device: torch.device, params: dict) -> str:
    """Everything the trained weights depend on: training parameters (seed included), label space,
    device type (CPU and CUDA kernels round differently) and the frames."""
    key = {"params": params, "num_classes": num_classes, "device": torch.device(device).type,
           "frames": frames_digest(videos)}
    return hashlib.blake2b(json.dumps(key, sort_keys=True).encode(), digest_size=16).hexdigest()


def _load(path: Path, device: torch.device) -> TCA:
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
        # Built with a forked RNG: a loaded model must leave the run's random stream as training does.
        with torch.random.fork_rng(devices=[]):
            model = TCA(content["dim"], content["num_classes"], content["latent"], content["hidden"])
        model.load_state_dict(content["state"])
    except (OSError, RuntimeError, KeyError, TypeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile) as err:
        raise DataError(f"{path}: not a readable TCA file ({first_line(err)}); delete it to train again") from None
    return model.to(device).eval().requires_grad_(False)


def _save(path: Path, model: TCA, num_classes: int) -> None:
    decoder = model.decoder
    content = {"dim": decoder.dim, "num_classes": num_classes, "latent": decoder.latent,
               "hidden": decoder.hidden, "state": {k: v.cpu() for k, v in model.state_dict().items()}}
    write_atomically(path, lambda tmp: torch.save(content, tmp))


def shared_tca(folder: Path | None, videos: list[Video], num_classes: int, device: torch.device,
               progress: bool = False, report: Callable[[str, int, int], None] | None = None,
               **params: object) -> tuple[TCA, TCAOrigin]:
    """`train_tca(videos, num_classes, device=device, **params)`, trained once per fingerprint in
    `folder` and loaded by every later caller; without a folder, trained here and not shared."""
    start = time.perf_counter()
    if folder is None:
        model = train_tca(videos, num_classes, device=device, progress=progress, report=report, **params)
        return model, TCAOrigin(TRAINED, None, time.perf_counter() - start)
    path = Path(folder) / f"{tca_fingerprint(videos, num_classes, device, params)}.pt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        if path.is_file():
            return _load(path, device), TCAOrigin(LOADED, path, time.perf_counter() - start)
        model = train_tca(videos, num_classes, device=device, progress=progress, report=report, **params)
        _save(path, model, num_classes)
    return model, TCAOrigin(TRAINED, path, time.perf_counter() - start)
