"""MS-TCN (Farha & Gall, CVPR 2019): stages of dilated residual temporal convolutions.

Follows the reference `model.py`: each stage is a 1×1 conv, `layers` dilated residual layers
(dilation 2^i, kernel 3, ReLU, 1×1 conv, dropout, residual) and a 1×1 classifier; stages after the
first refine softmax(previous logits). Padded frames are masked after the input conv and every
layer, so a video's logits do not depend on the batch it is evaluated in.

Frames stay channels-last (B, T, maps) and every convolution is a `Linear` over frames (the kernel-3
dilated conv reads the frame and its two neighbours at ±dilation, concatenated): the same function
as the reference's Conv1d stack (tested against it), but at the quick config's sizes (32 maps, ~90
frames) the CPU time is per-op dispatch, and this form needs fewer and cheaper ops per layer — one
training step takes ~35% less time than with Conv1d on one CPU thread.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class DilatedResidualLayer(nn.Module):
    def __init__(self, dilation: int, maps: int, dropout: float):
        super().__init__()
        self.dilation = dilation
        # weight (maps, 3·maps): taps at t - dilation, t, t + dilation, like Conv1d's (maps, maps, 3)
        self.conv_dilated = nn.Linear(3 * maps, maps)
        self.conv_1x1 = nn.Linear(maps, maps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, T, maps), mask (B, T, 1)."""
        frames, d = x.shape[1], self.dilation
        padded = F.pad(x, (0, 0, d, d))
        taps = torch.cat([padded[:, :frames], x, padded[:, 2 * d:2 * d + frames]], dim=2)
        out = self.dropout(self.conv_1x1(F.relu(self.conv_dilated(taps))))
        return (x + out) * mask


class SingleStage(nn.Module):
    def __init__(self, layers: int, maps: int, in_dim: int, num_classes: int, dropout: float):
        super().__init__()
        self.conv_in = nn.Linear(in_dim, maps)
        self.layers = nn.ModuleList(DilatedResidualLayer(2**i, maps, dropout) for i in range(layers))
        self.conv_out = nn.Linear(maps, num_classes)

    def embed(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # Masked here too: the reference leaves conv_in's bias in padded frames, where the dilated
        # convolutions read it, so a video's logits would depend on what it is batched with.
        h = self.conv_in(x) * mask
        for layer in self.layers:
            h = layer(h, mask)
        return h

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, in_dim), mask (B, T, 1) -> logits (B, T, C), maps (B, T, maps)."""
        h = self.embed(x, mask)
        return self.conv_out(h) * mask, h


class MSTCN(nn.Module):
    """forward(x (B, T, D), mask (B, T)) -> logits (S, B, C, T).

    After each forward, `last_embedding` holds the last stage's per-frame maps (B, maps, T): iCaRL
    herds and classifies on them without a second pass.
    """

    def __init__(self, in_dim: int, num_classes: int, stages: int = 4, layers: int = 10,
                 maps: int = 64, dropout: float = 0.5):
        super().__init__()
        self.stages = nn.ModuleList(
            [SingleStage(layers, maps, in_dim, num_classes, dropout)]
            + [SingleStage(layers, maps, num_classes, num_classes, dropout) for _ in range(stages - 1)]
        )
        self.last_embedding: torch.Tensor | None = None

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(2)
        out, h = self.stages[0](x, m)
        outputs = [out]
        for stage in self.stages[1:]:
            out, h = stage(F.softmax(out, dim=2) * m, m)
            outputs.append(out)
        self.last_embedding = h.transpose(1, 2)
        return torch.stack(outputs).transpose(2, 3)
