"""Throughput of itas's compute kernels on one device, measured by running the library's own code.

Each `*_rate` function builds random inputs of the given `Sizes` on the device, warms up, times the
real code path (decoding, network inversion, TCA training, MS-TCN training) and returns a `Rate`:
items per second and, where the work is a chain of matrix products, the FLOPs one item costs, so
`Rate.pct_of(matmul)` says how close it runs to the device's measured matmul rate. FLOPs are those
the code actually performs (the Gram-form inversion is credited with its own, smaller count), with
rectified and elementwise work not counted. Timings are the minimum over `repeats` runs, which is the
least sensitive to other load on the machine; ratios measured in one process are what to compare.

`python -m benchmarks.perf` prints and writes all of them; an estimate of a config's cost can
calibrate with the same functions.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch

from benchmarks.cost.calibration import synthetic_videos
from replay.chunks import frame_coherence
from replay.inversion import decode_codes, invert_codes
from replay.tca import TCADecoder, train_tca
from strategies.backbones import MSTCN
from strategies.loss import tas_loss
from tasks.precision import autocast
from tasks.procedural import GeneratorParams, plan_videos


@dataclass(frozen=True)
class Sizes:
    """Model dimensions and workload sizes (defaults: P's TCA at Breakfast scale, T's MS-TCN)."""

    dim: int = 2048
    latent: int = 256
    hidden: int = 512
    classes: int = 84
    segments: int = 200  # Breakfast-like segments (length scale 0.1): ~4.7K frames
    codes_per_segment: int = 1
    inversion_steps: int = 10
    tca_frames: int = 8192
    tca_batch_frames: int = 4096
    mstcn_stages: int = 4
    mstcn_layers: int = 10
    mstcn_maps: int = 64
    mstcn_videos: int = 8
    mstcn_video_frames: int = 1024
    matmul_size: int = 2048
    repeats: int = 3


# Small enough for a loaded 2-core CPU in seconds; the ratios still mean something.
QUICK = Sizes(dim=256, latent=32, hidden=64, classes=12, segments=40, inversion_steps=4, tca_frames=1024,
              tca_batch_frames=512, mstcn_layers=4, mstcn_maps=16, mstcn_videos=2, mstcn_video_frames=256,
              matmul_size=512, repeats=2)


@dataclass(frozen=True)
class Rate:
    per_second: float  # items (frames, frame-steps, FLOPs) per second
    flops_per_item: float | None = None

    def gflops(self) -> float | None:
        return None if self.flops_per_item is None else self.per_second * self.flops_per_item / 1e9

    def pct_of(self, matmul_gflops: float) -> float | None:
        achieved = self.gflops()
        return None if achieved is None else 100.0 * achieved / matmul_gflops


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def best_time(device: torch.device, work: Callable[[], object], repeats: int) -> float:
    """Seconds of the fastest of `repeats` runs of `work`, after one warm-up run."""
    work()
    times = []
    for _ in range(repeats):
        _synchronize(device)
        start = time.perf_counter()
        work()
        _synchronize(device)
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_gflops(device: torch.device, sizes: Sizes = Sizes()) -> float:
    """The device's float32 rate on a square (n, n) x (n, n) product, in GFLOP/s."""
    n = sizes.matmul_size
    generator = torch.Generator(device=device).manual_seed(0)
    a, b = (torch.randn(n, n, generator=generator, device=device) for _ in range(2))
    return 2 * n**3 / best_time(device, lambda: a @ b, sizes.repeats) / 1e9


def segment_layout(sizes: Sizes) -> tuple[np.ndarray, np.ndarray]:
    """(S,) labels and lengths of the first `sizes.segments` segments of Breakfast-like videos."""
    # every Breakfast-like video has several segments: this many videos per activity is ample (and
    # at least the generator's default, which it needs to show every action in the training split)
    per_activity = max(GeneratorParams.videos_per_activity, sizes.segments // 10 + 1)
    plans = plan_videos(GeneratorParams(length_scale=0.1, seed=0, videos_per_activity=per_activity))
    labels = np.concatenate([plan.segment_actions for plan in plans])[: sizes.segments] % sizes.classes
    lengths = np.concatenate([plan.lengths for plan in plans])[: sizes.segments]
    return labels.astype(np.int64), lengths.astype(np.int64)


def _decoder(device: torch.device, sizes: Sizes) -> TCADecoder:
    torch.manual_seed(0)
    return TCADecoder(sizes.dim, sizes.classes, sizes.latent, sizes.hidden).to(device).freeze()


def _code_flops(sizes: Sizes, lengths: np.ndarray) -> float:
    """Per frame, the latent part of the first layer, computed once per code."""
    codes = np.minimum(sizes.codes_per_segment, lengths).sum()
    return 2 * sizes.latent * sizes.hidden * codes / lengths.sum()


def decode_rate(device: torch.device, sizes: Sizes = Sizes()) -> Rate:
    """Frames per second of `decode_codes` (codes on the device, frames copied back to the host)."""
    labels, lengths = segment_layout(sizes)
    decoder = _decoder(device, sizes)
    codes = torch.randn(int(np.minimum(sizes.codes_per_segment, lengths).sum()), sizes.latent, device=device)
    seconds = best_time(device, lambda: decode_codes(decoder, codes, labels, lengths, sizes.codes_per_segment).cpu(),
                        sizes.repeats)
    return Rate(lengths.sum() / seconds, 2 * sizes.hidden * sizes.dim + _code_flops(sizes, lengths))


def inversion_rate(device: torch.device, sizes: Sizes = Sizes(), form: str = "gram") -> Rate:
    """Frame-steps per second of network inversion (`form` gram or direct) over `inversion_steps`
    steps, each an evaluation and an Adam update; the one-off set-up is excluded (timed from the
    first evaluation to the last)."""
    seg_labels, lengths = segment_layout(sizes)
    decoder = _decoder(device, sizes)
    generator = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(int(lengths.sum()), sizes.dim, generator=generator, device=device)
    labels = torch.from_numpy(np.repeat(seg_labels, lengths)).to(device)
    coherence = frame_coherence(lengths, device)
    stamps: list[float] = []

    def stamp(step: int, loss: torch.Tensor) -> None:
        _synchronize(device)
        stamps.append(time.perf_counter())

    def seconds_per_step() -> float:
        stamps.clear()
        invert_codes(decoder, x, labels, coherence, lengths, k=sizes.codes_per_segment,
                     steps=sizes.inversion_steps, device=device, on_step=stamp, form=form)
        return (stamps[-1] - stamps[0]) / sizes.inversion_steps

    seconds_per_step()  # warm-up
    per_step = min(seconds_per_step() for _ in range(sizes.repeats))
    first_layer = 2 * sizes.hidden * (sizes.latent + sizes.classes + 1)
    if form == "gram":
        # one (N, h) x (h, h) product; per code the latent part forward and its gradient
        flops = 2 * sizes.hidden**2 + 2 * _code_flops(sizes, lengths)
    else:
        # forward through both layers, then the input gradients of both (the weights are frozen)
        flops = 2 * (first_layer + 2 * sizes.hidden * sizes.dim)
    return Rate(lengths.sum() / per_step, flops)


def tca_train_rate(device: torch.device, sizes: Sizes = Sizes(), precision: str = "fp32") -> Rate:
    """Frames per second of `train_tca` over two epochs, its set-up (frames to the device, model
    construction) included."""
    count = max(1, sizes.tca_frames // sizes.tca_batch_frames)
    videos = synthetic_videos([sizes.tca_batch_frames] * count, sizes.dim, sizes.classes,
                              segment=-(-sizes.tca_batch_frames // 8))
    frames = sum(video.num_frames for video in videos)
    seconds = best_time(device, lambda: train_tca(videos, sizes.classes, sizes.latent, sizes.hidden, epochs=2,
                                                  batch_frames=sizes.tca_batch_frames, device=device,
                                                  precision=precision), sizes.repeats)
    encoder_in, decoder_in = sizes.dim + sizes.classes + 1, sizes.latent + sizes.classes + 1
    forward = 2 * sizes.hidden * (encoder_in + 2 * sizes.latent + decoder_in + sizes.dim)
    # backward: weight and input gradients (2x forward) except the input gradient of the encoder's
    # first layer (the features need none)
    return Rate(2 * frames / seconds, 3 * forward - 2 * sizes.hidden * encoder_in)


def mstcn_train_rate(device: torch.device, sizes: Sizes = Sizes(), precision: str = "fp32") -> Rate:
    """Frames per second of MS-TCN training steps (forward, T's loss, backward, Adam) on a batch of
    padded videos; a chain of dilated convolutions, so no matmul share is claimed."""
    torch.manual_seed(0)
    model = MSTCN(sizes.dim, sizes.classes, sizes.mstcn_stages, sizes.mstcn_layers, sizes.mstcn_maps).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
    shape = (sizes.mstcn_videos, sizes.mstcn_video_frames)
    x = torch.randn(*shape, sizes.dim, device=device)
    y = torch.randint(0, sizes.classes, shape, device=device)
    mask = torch.ones(shape, device=device)

    def step() -> None:
        with autocast(precision, device):
            logits = model(x, mask)
        loss = tas_loss(logits.float(), y, mask)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    seconds = best_time(device, step, sizes.repeats)
    return Rate(shape[0] * shape[1] / seconds)


def measure_all(device: torch.device, sizes: Sizes = Sizes(), precision: str = "fp32",
                report: Callable[[str], None] = lambda line: None) -> dict:
    """Every rate, as one JSON-ready dict (the keys `python -m benchmarks.perf --out` writes).

    The matmul rate is measured before each kernel and the highest is kept, so a burst of other
    load during one measurement does not inflate the shares of the matmul rate."""
    kernels: dict[str, Callable[[], Rate]] = {
        "decode": lambda: decode_rate(device, sizes),
        "inversion_direct": lambda: inversion_rate(device, sizes, "direct"),
        "inversion": lambda: inversion_rate(device, sizes, "gram"),
        "tca_train": lambda: tca_train_rate(device, sizes, precision),
        "mstcn_train": lambda: mstcn_train_rate(device, sizes, precision),
    }
    rates, matmul = {}, 0.0
    for name, measure in kernels.items():
        matmul = max(matmul, matmul_gflops(device, sizes))
        rates[name] = measure()
        report(f"{name}: {rates[name].per_second:,.0f} per s (matmul so far {matmul:.1f} GFLOP/s)")
    result = {"device": _device_name(device), "precision": precision, "threads": torch.get_num_threads(),
              "sizes": asdict(sizes), "matmul_gflops": matmul}
    for name, rate in rates.items():
        unit = "frame_steps" if name.startswith("inversion") else "frames"
        result[f"{name}_{unit}_per_s"] = rate.per_second
        if rate.flops_per_item is not None:
            result[f"{name}_pct_of_matmul"] = rate.pct_of(matmul)
    result["inversion_speedup"] = rates["inversion"].per_second / rates["inversion_direct"].per_second
    report(f"matmul {matmul:.1f} GFLOP/s; decode {result['decode_pct_of_matmul']:.0f}%, inversion step "
           f"{result['inversion_pct_of_matmul']:.0f}% ({result['inversion_speedup']:.1f}x the direct form's "
           f"rate), TCA training {result['tca_train_pct_of_matmul']:.0f}% of it")
    return result


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    return "cpu"
