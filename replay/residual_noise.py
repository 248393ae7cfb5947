"""Noise-matched regeneration: the variability of real frames around a memory's reconstruction.

A memory that reconstructs features (a segment mean, a kept frame, a decoder output) replays their
conditional mean: noise-free frames, while real frames are not. With `noise: residual` it measures,
per task and action class, the residual r = x - x̂ of real frames around their own reconstruction —
per-dimension RMS and lag-1 autocorrelation within segments — and adds seeded stationary AR(1)
Gaussian noise with those statistics to every replayed frame. With `noise_rank: r` the r leading
residual directions of each class get their own scale and autocorrelation (full covariance in that
subspace) and the per-dimension statistics describe the rest (diagonal). `noise_draws: fresh` (the
default) draws new noise at every replay; `fixed` replays the same draw every time — an ablation
that keeps the variability but removes the augmentation of showing new frames at every task.

The AR(1) noise of all frames of all replayed segments is one tensor: the recurrence
e_t = ρ e_{t-1} + sqrt(1 - ρ²) w_t (restarting at every segment start) is a first-order linear
recurrence, evaluated by an associative (Hillis–Steele) scan in ⌈log2 N⌉ whole-tensor steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from tasks.errors import DataError

NOISE_MODES = ("none", "residual")
NOISE_DRAWS = ("fresh", "fixed")
MAX_CORRELATION = 0.99  # keeps sqrt(1 - ρ²) away from 0 for a near-constant residual
STAT_DTYPE = np.float32


def check_noise(noise: object, noise_rank: object) -> tuple[str, int | None]:
    """Validated (noise, noise_rank); the rank's upper bound (the feature size) is `check_rank`'s."""
    if noise not in NOISE_MODES:
        raise DataError(f"memory noise: expected one of {', '.join(NOISE_MODES)}, got {noise!r}")
    if noise_rank is None:
        return noise, None
    if isinstance(noise_rank, bool) or not isinstance(noise_rank, int) or noise_rank < 1:
        raise DataError(f"memory noise_rank: expected an integer >= 1 or null, got {noise_rank!r}")
    if noise != "residual":
        raise DataError(f"memory noise_rank: needs noise: residual (noise is {noise!r})")
    return noise, noise_rank


def check_draws(noise: str, noise_draws: object) -> str:
    if noise_draws not in NOISE_DRAWS:
        raise DataError(f"memory noise_draws: expected one of {', '.join(NOISE_DRAWS)}, got {noise_draws!r}")
    if noise_draws != "fresh" and noise != "residual":
        raise DataError(f"memory noise_draws: needs noise: residual (noise is {noise!r})")
    return noise_draws


def check_rank(noise_rank: int | None, dim: int) -> None:
    if noise_rank is not None and noise_rank > dim:
        raise DataError(f"memory noise_rank: expected at most the feature dimension {dim}, got {noise_rank}")


@dataclass
class ResidualNoise:
    """One task's residual statistics, row k for action class `classes[k]`.

    std, rho: (C, D) per-dimension RMS and lag-1 autocorrelation (of the part outside `basis`);
    basis: (C, r, D) orthonormal leading residual directions, scale/basis_rho: (C, r) their RMS
    and autocorrelation; all three None without `noise_rank`.
    """

    classes: np.ndarray
    std: np.ndarray
    rho: np.ndarray
    basis: np.ndarray | None = None
    scale: np.ndarray | None = None
    basis_rho: np.ndarray | None = None


def noise_nbytes(num_classes: int, dim: int, rank: int | None) -> int:
    """Bytes `measure_noise` holds for a task with `num_classes` classes (exact, before training)."""
    floats = 2 * dim + (rank * (dim + 2) if rank else 0)
    return num_classes * (np.dtype(np.int32).itemsize + floats * np.dtype(STAT_DTYPE).itemsize)


def _pair_mask(lengths: torch.Tensor, frames: int) -> torch.Tensor:
    """(N,) True for frames whose next frame is in the same segment."""
    ends = torch.cumsum(lengths, 0) - 1
    mask = torch.ones(frames, dtype=torch.bool, device=lengths.device)
    mask[ends] = False
    return mask


def _per_class(values: torch.Tensor, index: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.zeros(num_classes, values.shape[1], dtype=values.dtype, device=values.device).index_add_(
        0, index, values
    )


def _moments(residual: torch.Tensor, index: torch.Tensor, pairs: torch.Tensor, num_classes: int
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per class and column: RMS over frames, lag-1 autocorrelation over within-segment pairs."""
    counts = torch.bincount(index, minlength=num_classes).clamp(min=1).to(residual.dtype)[:, None]
    std = (_per_class(residual.square(), index, num_classes) / counts).sqrt()
    now, later = residual[:-1][pairs[:-1]], residual[1:][pairs[:-1]]
    pair_index = index[:-1][pairs[:-1]]
    cross = _per_class(now * later, pair_index, num_classes)
    norm = (_per_class(now.square(), pair_index, num_classes) * _per_class(later.square(), pair_index, num_classes))
    rho = torch.where(norm > 0, cross / norm.clamp(min=1e-30).sqrt(), torch.zeros_like(cross))
    return std, rho.clamp(-MAX_CORRELATION, MAX_CORRELATION)


@torch.no_grad()
def measure_noise(real: torch.Tensor, reconstruction: torch.Tensor, labels: torch.Tensor, lengths: np.ndarray,
                  classes: np.ndarray, rank: int | None) -> ResidualNoise:
    """Residual statistics of consecutive segments (`lengths`) of frames with per-frame `labels`,
    for each of `classes` (a class without frames gets zeros: it is never replayed)."""
    residual = (real - reconstruction).to(torch.float64)
    device = residual.device
    lookup = torch.full((int(max(classes.max(), labels.max())) + 1,), -1, dtype=torch.long, device=device)
    lookup[torch.from_numpy(classes.astype(np.int64)).to(device)] = torch.arange(len(classes), device=device)
    index = lookup[labels.to(device)]
    pairs = _pair_mask(torch.from_numpy(np.asarray(lengths, dtype=np.int64)).to(device), len(residual))
    basis = scale = basis_rho = None
    if rank:
        basis = torch.zeros(len(classes), rank, residual.shape[1], dtype=residual.dtype, device=device)
        # One eigendecomposition per class (not per frame or segment): the class's residual covariance.
        for k in torch.unique(index).tolist():
            rows = residual[index == k]
            basis[k] = torch.linalg.eigh(rows.T @ rows)[1].flip(1)[:, :rank].T
        frames = torch.arange(len(residual), device=device)
        coefficients = (residual @ basis.flatten(0, 1).T).view(len(residual), len(classes), rank)[frames, index]
        scale, basis_rho = _moments(coefficients, index, pairs, len(classes))
        residual = residual - in_class_directions(coefficients, index, basis)
    std, rho = _moments(residual, index, pairs, len(classes))

    def stat(value: torch.Tensor | None) -> np.ndarray | None:
        return None if value is None else value.cpu().numpy().astype(STAT_DTYPE)

    return ResidualNoise(classes.astype(np.int32), stat(std), stat(rho), stat(basis), stat(scale), stat(basis_rho))


def ar1_scan(innovations: torch.Tensor, rho: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    """Stationary unit-variance AR(1) series along dim 0 of (N, ...) standard normal `innovations`,
    with per-element coefficients `rho` (same shape), restarting where `starts` (N,) is True.

    x_t = ρ_t x_{t-1} + sqrt(1 - ρ_t²) w_t, x_start = w_start; an associative scan over the pairs
    (a_t, b_t) in ⌈log2 N⌉ whole-tensor steps, so no loop over frames, segments or videos.
    """
    restart = starts.view(-1, *([1] * (innovations.dim() - 1)))
    gain = torch.where(restart, torch.ones_like(rho), (1 - rho.square()).clamp(min=0).sqrt())
    b = gain * innovations
    a = torch.where(restart, torch.zeros_like(rho), rho)
    offset = 1
    while offset < len(b):
        b = torch.cat([b[:offset], b[offset:] + a[offset:] * b[:-offset]])
        a = torch.cat([a[:offset], a[offset:] * a[:-offset]])
        offset *= 2
    return b


def sample_noise(stats: ResidualNoise, labels: torch.Tensor, lengths: np.ndarray, seed: int) -> torch.Tensor:
    """(N, D) AR(1) noise for consecutive segments (`lengths`) of frames with `labels`, on their device."""
    device = labels.device
    lookup = torch.zeros(int(max(stats.classes.max(), labels.max())) + 1, dtype=torch.long)
    lookup[torch.from_numpy(stats.classes.astype(np.int64))] = torch.arange(len(stats.classes))
    index = lookup.to(device)[labels]
    starts = torch.zeros(len(labels), dtype=torch.bool, device=device)
    starts[torch.from_numpy(np.cumsum(lengths) - lengths).to(device)] = True
    generator = torch.Generator(device=device).manual_seed(seed)

    def tensor(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(array).to(device)

    std, rho = tensor(stats.std), tensor(stats.rho)
    white = torch.randn(len(labels), std.shape[1], generator=generator, device=device)
    noise = ar1_scan(white, rho[index], starts) * std[index]
    if stats.basis is not None:
        basis, scale, basis_rho = tensor(stats.basis), tensor(stats.scale), tensor(stats.basis_rho)
        rank = basis.shape[1]
        along = torch.randn(len(labels), rank, generator=generator, device=device)
        coefficients = ar1_scan(along, basis_rho[index], starts) * scale[index]
        noise = noise + in_class_directions(coefficients, index, basis)
    return noise


def in_class_directions(coefficients: torch.Tensor, index: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """(N, D) frame n's (r,) coefficients along its own class's directions `basis[index[n]]` (r, D):
    one (N, C·r) @ (C·r, D) product instead of an (N, r, D) gather."""
    spread = coefficients.new_zeros(len(coefficients), basis.shape[0], basis.shape[1])
    spread[torch.arange(len(coefficients), device=coefficients.device), index] = coefficients
    return spread.flatten(1) @ basis.flatten(0, 1)


def noise_seed(seed: int, task: int, draw: int) -> int:
    """Seed of the noise added to one task's replay at one replay call."""
    return int(np.random.SeedSequence([seed, task, draw, 0x6E6F]).generate_state(1)[0])
