"""How latent codes are held: float32 (P's accounting), float16, or int8 with a per-code scale.

int8 is symmetric per code vector: scale = max|z| / 127 (float32), q = round(z / scale). This is
beyond the paper; it cuts code bytes about 4x at a small reconstruction cost.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from tasks.errors import DataError

CODE_DTYPES = ("float32", "float16", "int8")
_TORCH_DTYPES = {"float32": torch.float32, "float16": torch.float16, "int8": torch.int8}
_SCALE_BYTES = 4


@dataclass(frozen=True)
class StoredCodes:
    """(n, d) codes on the CPU in their storage dtype; `scale` (n,) float32 for int8, else None."""

    values: torch.Tensor
    scale: torch.Tensor | None = None

    @property
    def nbytes(self) -> int:
        scale = 0 if self.scale is None else self.scale.numel() * self.scale.element_size()
        return self.values.numel() * self.values.element_size() + scale

    def __len__(self) -> int:
        return len(self.values)

    def dequantize(self, device: torch.device) -> torch.Tensor:
        """(n, d) float32 codes on `device`."""
        values = self.values.to(device).float()
        if self.scale is None:
            return values
        return values * self.scale.to(device).unsqueeze(1)

    def select(self, rows: np.ndarray) -> "StoredCodes":
        index = torch.from_numpy(np.asarray(rows, dtype=np.int64))
        return StoredCodes(self.values[index], None if self.scale is None else self.scale[index])


def check_code_dtype(dtype: str) -> str:
    if dtype not in CODE_DTYPES:
        raise DataError(f"code_dtype: expected one of {', '.join(CODE_DTYPES)}, got {dtype!r}")
    return dtype


def quantize(z: torch.Tensor, dtype: str = "float32") -> StoredCodes:
    """Store (n, d) codes in `dtype` on the CPU."""
    z = z.detach().float().cpu()
    if check_code_dtype(dtype) != "int8":
        return StoredCodes(z.to(_TORCH_DTYPES[dtype]))
    scale = z.abs().amax(dim=1) / 127.0
    divisor = torch.where(scale > 0, scale, torch.ones_like(scale)).unsqueeze(1)
    values = torch.round(z / divisor).clamp_(-127, 127).to(torch.int8)
    return StoredCodes(values, scale)


def code_nbytes(num_codes: int, latent: int, dtype: str) -> int:
    """Bytes `quantize` will use for `num_codes` codes of size `latent` (known before inversion)."""
    per_value = torch.empty(0, dtype=_TORCH_DTYPES[check_code_dtype(dtype)]).element_size()
    return num_codes * (latent * per_value + (_SCALE_BYTES if dtype == "int8" else 0))
