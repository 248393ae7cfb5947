"""ASFormer (Yi, Wen & Jiang, BMVC 2021): a transformer for action segmentation.

An encoder and `stages - 1` decoders, each `layers` blocks of: dilated conv feed-forward (kernel 3,
dilation 2^i), instance norm, single-head local attention over blocks of 2^i frames that see a
window of 2^i + 2·⌊2^i / 2⌋ frames around them, weighted by alpha, a 1×1 conv, dropout, residual.
Decoders take the softmax of the previous stage and attend with queries/keys from themselves and
values from the previous stage's features; their alpha decays as exp(−3·s) (s = decoder index),
so later stages refine rather than rewrite. Padded frames are masked out of every attention window
and every output, so a video's logits do not depend on what it is batched with.

Same interface as `MSTCN`: forward(x (B, T, D), mask (B, T)) -> logits (stages, B, C, T), and
`last_embedding` (B, maps, T) of the last stage for iCaRL.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

REDUCTION = 2  # query/key and value channels are maps / 2 (the reference's r1 = r2 = 2)


class LocalAttention(nn.Module):
    """Single-head attention of each block of `block` frames over a centred window, batched."""

    def __init__(self, maps: int, block: int, cross: bool):
        super().__init__()
        self.block, self.cross = block, cross
        self.query = nn.Conv1d(maps, maps // REDUCTION, 1)
        self.key = nn.Conv1d(maps, maps // REDUCTION, 1)
        self.value = nn.Conv1d(maps, maps // REDUCTION, 1)
        self.out = nn.Conv1d(maps // REDUCTION, maps, 1)

    def forward(self, x: torch.Tensor, values_from: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor:
        """x (B, maps, T); values_from: the previous stage's features (decoders); mask (B, 1, T)."""
        q, k = self.query(x), self.key(x)
        v = self.value(values_from if self.cross else x)
        batch, _, length = q.shape
        blocks = math.ceil(length / self.block)
        pad = blocks * self.block - length
        half = self.block // 2
        window = self.block + 2 * half
        # (B, C, nb, bl) query blocks; (B, C, nb, window) key/value windows centred on them
        q = F.pad(q, (0, pad)).unflatten(2, (blocks, self.block))
        k, v, m = (F.pad(t, (half, pad + half)).unfold(2, window, self.block) for t in (k, v, mask))
        energy = torch.einsum("bcnq,bcnw->bnqw", q, k) / math.sqrt(q.shape[1])
        valid = m.squeeze(1).unsqueeze(2)  # (B, nb, 1, window)
        weights = torch.softmax(energy + torch.log(valid + 1e-6), dim=-1) * valid
        out = torch.einsum("bnqw,bcnw->bcnq", weights, v).flatten(2)[:, :, :length]
        return self.out(F.relu(out)) * mask


def masked_instance_norm(x: torch.Tensor, mask: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """InstanceNorm1d (no affine) over the valid frames only, so padding does not shift a video's
    statistics; equal to nn.InstanceNorm1d on an unpadded video."""
    frames = mask.sum(-1, keepdim=True).clamp_min(1.0)
    mean = (x * mask).sum(-1, keepdim=True) / frames
    var = ((x - mean).pow(2) * mask).sum(-1, keepdim=True) / frames
    return (x - mean) / torch.sqrt(var + eps)


class AttentionBlock(nn.Module):
    def __init__(self, maps: int, dilation: int, cross: bool, alpha: float, dropout: float):
        super().__init__()
        self.feed_forward = nn.Sequential(nn.Conv1d(maps, maps, 3, padding=dilation, dilation=dilation), nn.ReLU())
        self.attention = LocalAttention(maps, dilation, cross)
        self.conv_1x1 = nn.Conv1d(maps, maps, 1)
        self.dropout = nn.Dropout(dropout)
        self.alpha = alpha

    def forward(self, x: torch.Tensor, values_from: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor:
        out = self.feed_forward(x)
        out = self.alpha * self.attention(masked_instance_norm(out, mask), values_from, mask) + out
        return (x + self.dropout(self.conv_1x1(out))) * mask


class Stage(nn.Module):
    def __init__(self, in_dim: int, num_classes: int, layers: int, maps: int, cross: bool, alpha: float,
                 dropout: float):
        super().__init__()
        self.conv_in = nn.Conv1d(in_dim, maps, 1)
        self.blocks = nn.ModuleList(AttentionBlock(maps, 2**i, cross, alpha, dropout) for i in range(layers))
        self.conv_out = nn.Conv1d(maps, num_classes, 1)

    def forward(self, x: torch.Tensor, values_from: torch.Tensor | None, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.conv_in(x) * mask
        for block in self.blocks:
            h = block(h, values_from, mask)
        return self.conv_out(h) * mask, h


class ASFormer(nn.Module):
    """forward(x (B, T, D), mask (B, T)) -> logits (stages, B, C, T)."""

    def __init__(self, in_dim: int, num_classes: int, stages: int = 4, layers: int = 10, maps: int = 64,
                 dropout: float = 0.5, channel_dropout: float = 0.3):
        super().__init__()
        # Drops whole input feature channels (the reference's channel masking against overfitting)
        self.channel_dropout = nn.Dropout1d(channel_dropout)
        self.stages = nn.ModuleList(
            [Stage(in_dim, num_classes, layers, maps, cross=False, alpha=1.0, dropout=dropout)]
            + [Stage(num_classes, num_classes, layers, maps, cross=True, alpha=math.exp(-3 * s), dropout=dropout)
               for s in range(stages - 1)]
        )
        self.last_embedding: torch.Tensor | None = None

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(1)
        out, h = self.stages[0](self.channel_dropout(x.transpose(1, 2)), None, m)
        outputs = [out]
        for stage in self.stages[1:]:
            out, h = stage(F.softmax(out, dim=1) * m, h * m, m)
            outputs.append(out)
        self.last_embedding = h
        return torch.stack(outputs)
