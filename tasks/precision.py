"""Numeric precision of training (`train.precision`): fp32, tf32 or bf16; only CUDA is affected.

- fp32: IEEE float32 matmuls and convolutions (TensorFloat-32 off, also for cuDNN convolutions,
  which PyTorch would otherwise run in TF32).
- tf32: float32 tensors, TensorFloat-32 matmuls and convolutions (10-bit mantissa products, float32
  accumulation): Ampere and later.
- bf16: as tf32, plus bfloat16 autocast around the backbone's and the TCA's forward passes; losses
  are computed from float32 outputs (autocast keeps reductions in float32).

On the CPU every precision but bf16 is fp32 (TF32 is a GPU format); bf16 is refused there, since
CPU autocast would change the CPU's results and is slower than float32 on most CPUs.
Network inversion always runs in IEEE float32 (`exact_matmuls`): its best-iterate selection compares
losses whose differences are below TF32/bf16 rounding, and its Gram form is already cheap.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from tasks.errors import DataError

PRECISIONS = ("fp32", "tf32", "bf16")


def check_precision(precision: str, device: torch.device) -> None:
    """One-line DataError for an unknown precision or bf16 on a device without bfloat16 support."""
    if precision not in PRECISIONS:
        raise DataError(f"train.precision: expected one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision != "bf16":
        return
    if device.type != "cuda":
        raise DataError(f"train.precision: bf16 needs a CUDA device with bfloat16 support, the run's device is "
                        f"{device.type} (use fp32 there)")
    if not torch.cuda.is_bf16_supported():
        raise DataError(f"train.precision: bf16 is not supported by {torch.cuda.get_device_name(device)} "
                        f"(use tf32 or fp32)")


def use_precision(precision: str, device: torch.device) -> None:
    """Set the process's TF32 switches for a run on `device` (nothing changes on the CPU)."""
    check_precision(precision, device)
    if device.type == "cuda":
        mode = "ieee" if precision == "fp32" else "tf32"
        torch.backends.cuda.matmul.fp32_precision = mode
        torch.backends.cudnn.conv.fp32_precision = mode


def autocast(precision: str, device: torch.device) -> torch.autocast:
    """bfloat16 autocast on `device` when the precision is bf16, else a disabled one (a no-op)."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16")


@contextlib.contextmanager
def exact_matmuls() -> Iterator[None]:
    """IEEE float32 matmuls inside, whatever the run's precision (restored on exit)."""
    before = torch.backends.cuda.matmul.fp32_precision
    torch.backends.cuda.matmul.fp32_precision = "ieee"
    try:
        yield
    finally:
        torch.backends.cuda.matmul.fp32_precision = before
