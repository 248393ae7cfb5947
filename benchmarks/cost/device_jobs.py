"""How many runs fit on one GPU at once (`itas run --jobs N|0` on CUDA).

A run's peak device memory is estimated from the config and the data's counts: the CUDA context,
the backbone's weights, gradients and Adam moments, then the largest of what comes and goes —
the backbone's activations on a batch of the longest videos, TCA training (all of a task's frames
are moved to the device, plus a batch's activations), inversion of a task's kept frames and the
decoding of a replay — times a safety margin. The estimate errs high: a run that does not fit
fails with an out-of-memory error after minutes, one job too few only costs time.
"""
from __future__ import annotations

import torch

from benchmarks.cost.cost_data import DataProfile
from benchmarks.cost.estimate import kept_videos, replayed_frames, run_memory
from benchmarks.orchestration.runner import plan_runs
from benchmarks.orchestration.training import build_backbone
from replay.latent import DecoderMemory
from tasks.errors import DataError

FLOAT = 4
CUDA_CONTEXT = 600 * 2**20  # what a process's CUDA context and kernels hold before any tensor
MARGIN = 1.25  # allocator fragmentation and temporaries the sum does not name


def run_device_bytes(cfg: dict, profile: DataProfile) -> int:
    """Estimated peak device memory of the config's largest run, in bytes."""
    dim, classes = profile.dim, profile.num_classes
    longest = max(v.frames for v in profile.videos)
    backbone = build_backbone(cfg, dim, classes)
    weights = 4 * FLOAT * sum(p.numel() for p in backbone.parameters())  # weights, grads, Adam m and v
    b = cfg["backbone"]
    per_frame = dim + b["stages"] * (b["layers"] * 4 * b["maps"] + 3 * classes)
    if b["name"] == "asformer":
        per_frame *= 3  # attention windows, queries, keys and values per layer
    activations = FLOAT * cfg["train"]["batch_size"] * longest * per_frame * 2  # forward + backward
    peak = activations
    for run in plan_runs(cfg):
        memory = run_memory(run, classes)
        if not isinstance(memory, DecoderMemory):
            continue
        tasks = profile.tasks(cfg["protocol"]["tasks"], run.seed)
        for t, (train, _) in enumerate(tasks):
            frames, h, d = sum(train), memory.hidden, memory.latent
            tca = FLOAT * frames * (dim + 2) + FLOAT * min(memory.batch_frames, frames) * (
                2 * dim + classes + 3 * h + 4 * d) * 2
            kept = kept_videos(memory, t, t + 1, len(train)) * frames / len(train)
            inversion = FLOAT * kept * (2 * dim + 4 * h) * 2
            decoding = FLOAT * 2 * dim * replayed_frames(run, memory, tasks, t, dim)
            peak = max(peak, tca, inversion, decoding)
    return int(MARGIN * (CUDA_CONTEXT + weights + peak))


def jobs_that_fit(free_bytes: int, per_run_bytes: int, runs: int, requested: int, device: str) -> int:
    """`requested` runs at a time if they fit in `free_bytes`, or as many as fit when 0; DataError
    when none or not all requested fit."""
    fit = min(runs, free_bytes // per_run_bytes)
    gib = 2**30
    if fit < 1:
        raise DataError(f"--jobs: one run needs about {per_run_bytes / gib:.1f} GiB of device memory and "
                        f"{device} has {free_bytes / gib:.1f} GiB free")
    if requested > fit and requested > 1:
        raise DataError(f"--jobs {requested}: {requested} runs need about {requested * per_run_bytes / gib:.1f} GiB "
                        f"of device memory and {device} has {free_bytes / gib:.1f} GiB free "
                        f"(at most {fit} fit; --jobs 0 picks that)")
    return requested or max(1, fit)


def cuda_jobs(cfg: dict, device: torch.device, requested: int, runs: int, profile: DataProfile) -> int:
    """Runs at a time on `device` from its free memory now (torch.cuda.mem_get_info)."""
    free, _ = torch.cuda.mem_get_info(device)
    return jobs_that_fit(free, run_device_bytes(cfg, profile), runs, requested, str(device))

