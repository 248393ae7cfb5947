"""Seconds per unit of work on a device, timed on the real modules at a config's sizes (`itas estimate`).

Each cost is timed by calling the very code a run calls — the Avalanche template training and
evaluating the config's backbone, `train_tca`, `invert_codes`, `decode_codes` — on synthetic
videos with the data's feature dimension, class count and video lengths, repeated until it has
run for `seconds` (after one untimed warm-up call). Fixed costs per training or evaluation call
(Avalanche's callbacks, data loaders) are timed on a one-video experience and kept apart from
the per-frame cost. On the CPU with one torch thread (`train.threads: 1`, or `--jobs` = cores) the
process's CPU time is read, so the prediction is the time on an idle machine even when others
share the cores; otherwise the wall clock.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from benchmarks.cost.cost_data import DataProfile
from benchmarks.orchestration.training import build_backbone, start_training
from replay.inversion import decode_codes, invert_codes
from replay.tca import train_tca
from replay.transcripts import Transcripts
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.template import make_template
from tasks.scenario import Task
from tasks.video import Video

TCAKey = tuple[int, int, int]  # latent, hidden, batch_frames


@dataclass
class Rates:
    """Seconds per unit: an epoch call / an eval call (fixed), a trained / evaluated frame, and per
    TCA size a frame-epoch of TCA training, a frame-step of inversion and a decoded frame."""

    clock: str  # "cpu time" or "wall time"
    train_call: float
    train_frame: float
    eval_call: float
    eval_frame: float
    tca_frame_epoch: dict[TCAKey, float] = field(default_factory=dict)
    inversion_frame_step: dict[TCAKey, float] = field(default_factory=dict)
    decode_frame: dict[TCAKey, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        def by_size(rates: dict[TCAKey, float]) -> dict[str, float]:
            return {f"d{d}_h{h}_b{b}": rate for (d, h, b), rate in rates.items()}

        return {"clock": self.clock, "train_call_s": self.train_call, "train_frame_s": self.train_frame,
                "eval_call_s": self.eval_call, "eval_frame_s": self.eval_frame,
                "tca_frame_epoch_s": by_size(self.tca_frame_epoch),
                "inversion_frame_step_s": by_size(self.inversion_frame_step),
                "decode_frame_s": by_size(self.decode_frame)}


def cpu_clock(device: torch.device) -> bool:
    """Whether calibration reads this process's CPU time instead of the wall clock: on the CPU with
    one torch thread the two agree on an idle machine, and CPU time is not inflated by other
    processes sharing the cores. With several threads, or on CUDA, only the wall clock tells."""
    return device.type == "cpu" and torch.get_num_threads() == 1


def seconds_per_call(call: Callable[[], object], seconds: float, device: torch.device) -> float:
    """Mean time of `call` after one warm-up, repeated until `seconds` of wall time have passed."""
    call()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    clock = time.process_time if cpu_clock(device) else time.perf_counter
    count, wall, start = 0, time.perf_counter(), clock()
    while count == 0 or time.perf_counter() - wall < seconds:
        call()
        sync()
        count += 1
    return (clock() - start) / count


def synthetic_videos(lengths: list[int], dim: int, num_classes: int, segment: int, seed: int = 0) -> list[Video]:
    """Random features and labels changing every `segment` frames: the shapes the modules see."""
    rng = np.random.default_rng(seed)
    videos = []
    for index, length in enumerate(lengths):
        labels = np.repeat(rng.integers(0, num_classes, size=length // segment + 1), segment)[:length]
        features = rng.standard_normal((length, dim), dtype=np.float32)
        videos.append(Video(f"v{index}", "a", features, labels.astype(np.int64)))
    return videos


def _template_rates(cfg: dict, profile: DataProfile, sample: list[int], device: torch.device,
                    seconds: float) -> tuple[float, float, float, float]:
    segment = max(1, int(np.mean(sample)) // 7)
    videos = synthetic_videos(sample, profile.dim, profile.num_classes, segment)
    tiny = synthetic_videos([8], profile.dim, profile.num_classes, 4)
    model = build_backbone(cfg, profile.dim, profile.num_classes)
    strategy = make_template(model, {**cfg["train"], "epochs": 1}, device, [], SegmentationMetrics([]))
    big, small = make_benchmark([Task(0, [], [], videos, videos)]), make_benchmark([Task(0, [], [], tiny, tiny)])
    frames = sum(sample)
    train_call = seconds_per_call(lambda: strategy.train(small.train_stream[0]), seconds / 4, device)
    train = seconds_per_call(lambda: strategy.train(big.train_stream[0]), seconds, device)
    eval_call = seconds_per_call(lambda: strategy.eval(small.test_stream), seconds / 4, device)
    evaluate = seconds_per_call(lambda: strategy.eval(big.test_stream), seconds / 2, device)
    return train_call, max(train - train_call, 0.0) / frames, eval_call, max(evaluate - eval_call, 0.0) / frames


def _tca_rates(key: TCAKey, profile: DataProfile, frames: int, segment: int, device: torch.device,
               precision: str, seconds: float) -> tuple[float, float, float]:
    latent, hidden, batch_frames = key
    frames = min(frames, 2 * batch_frames)  # a task's frames, or two full batches of them
    videos = synthetic_videos([frames], profile.dim, profile.num_classes, segment)

    def train():
        return train_tca(videos, profile.num_classes, latent, hidden, epochs=1, batch_frames=batch_frames,
                         device=device, precision=precision)

    model = train()
    tca = seconds_per_call(train, seconds, device)
    transcripts = Transcripts.from_videos(videos)
    features = torch.from_numpy(videos[0].features).to(device)
    labels = torch.from_numpy(transcripts.frame_labels()).to(device)
    coherence = torch.from_numpy(transcripts.coherence()).to(device)
    steps = 10
    inversion = seconds_per_call(lambda: invert_codes(model.decoder, features, labels, coherence, transcripts.lengths,
                                                      steps=steps, device=device), seconds, device)
    codes = torch.zeros(transcripts.num_segments, latent, device=device)
    decode = seconds_per_call(lambda: decode_codes(model.decoder, codes, transcripts.labels, transcripts.lengths, 1),
                              seconds / 4, device)
    return tca / frames, inversion / (frames * steps), decode / frames


def calibrate(cfg: dict, profile: DataProfile, tca_keys: set[TCAKey], device: torch.device,
              seconds: float = 2.0, max_frames: int = 40_000) -> Rates:
    """Time every cost the config's runs pay (TCA costs per distinct TCA size in `tca_keys`).

    The backbone is timed on training videos drawn from the data's lengths: two batches' worth,
    at most `max_frames` frames, so padding to the longest video of a batch is paid as in a run.
    """
    start_training(cfg["train"], 0, device)
    lengths = [length for train, _ in profile.tasks(cfg["protocol"]["tasks"], 0) for length in train]
    rng = np.random.default_rng(0)
    sample: list[int] = []
    for length in rng.permutation(lengths):
        if sample and (len(sample) >= 2 * cfg["train"]["batch_size"] or sum(sample) + length > max_frames):
            break
        sample.append(min(int(length), max_frames))
    clock = "cpu time" if cpu_clock(device) else "wall time"
    rates = Rates(clock, *_template_rates(cfg, profile, sample, device, seconds))
    segment = max(1, int(np.mean(lengths)) // 7)  # Breakfast videos hold ~7 segments
    task_frames = int(np.mean([sum(train) for train, _ in profile.tasks(cfg["protocol"]["tasks"], 0)]))
    for key in sorted(tca_keys):
        tca, inversion, decode = _tca_rates(key, profile, task_frames, segment, device, cfg["train"]["precision"],
                                            seconds)
        rates.tca_frame_epoch[key], rates.inversion_frame_step[key], rates.decode_frame[key] = tca, inversion, decode
    return rates
