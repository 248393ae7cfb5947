"""A-GEM (Chaudhry et al., ICLR 2019) for TAS: an EXTENSION, not in P or T.

The memory's videos are not trained on; they constrain each update instead. Before every optimizer
step a reference gradient g_ref is computed on `sample_size` videos drawn from the memory (the
MS-TCN loss over their valid frames), and the step's gradient g, if it conflicts (g·g_ref < 0),
is projected: g ← g − (g·g_ref / g_ref·g_ref) g_ref, so that the update does not increase the
reference loss to first order.
Adapted: the memory is the `original` memory under the run's budget and selection (whole videos);
Avalanche's AGEMPlugin samples (x, y) pairs of a per-experience buffer and calls `model(x)`
without the padding mask, so the reference batch here is padded and masked like every batch.
The draw of reference videos is seeded by (seed, step), so a resumed run draws the same ones.
"""
from __future__ import annotations

import torch

from replay.exemplars import OriginalMemory
from strategies.loss import tas_loss
from strategies.params import positive_int
from strategies.registry import StrategyContext, StrategyParts, register
from strategies.replay_baselines import split_params
from strategies.replay_plugin import ReplayPlugin
from tasks.torchdata import VideoDataset, pad_collate


def project(gradient: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """A-GEM's projection of a flat gradient against a flat reference gradient."""
    dot = torch.dot(gradient, reference)
    if dot >= 0:
        return gradient
    return gradient - dot / torch.dot(reference, reference).clamp_min(1e-12) * reference


def _flat_grad(params: list[torch.nn.Parameter]) -> torch.Tensor:
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in params])


class AGEMPlugin(ReplayPlugin):
    """Keeps the memory (after each task, as ReplayPlugin) but replays nothing into the data."""

    def __init__(self, memory: OriginalMemory, ctx: StrategyContext, sample_size: int):
        super().__init__(memory, ctx.train_videos, ctx.num_classes, ctx.seed, ctx.progress, None, ctx.precision)
        self.sample_size = sample_size
        self.steps = 0  # optimizer steps so far: seeds each reference draw
        self.projected = 0  # steps whose gradient was projected, for tests and logs
        self.references: list = []  # the memory's videos while a task trains (not kept between tasks)

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        self.references = self.memory.replay(strategy.device)  # constraints only, never trained on

    def after_training_exp(self, strategy, **kwargs) -> None:
        self.references = []
        super().after_training_exp(strategy, **kwargs)

    def before_update(self, strategy, **kwargs) -> None:
        references = self.references
        self.steps += 1
        if not references:
            return
        draw = torch.Generator().manual_seed(self.seed * 1_000_003 + self.steps)
        picked = torch.randperm(len(references), generator=draw)[: self.sample_size].tolist()
        dataset = VideoDataset([references[i] for i in picked])
        batch = pad_collate([dataset[i] for i in range(len(dataset))])
        params = [p for p in strategy.model.parameters() if p.requires_grad]
        gradient = _flat_grad(params)
        strategy.model.zero_grad()
        x, y, mask = (batch[k].to(strategy.device) for k in ("x", "y", "mask"))
        tas_loss(strategy.model(x, mask).float(), y, mask).backward()
        reference = _flat_grad(params)
        projected = project(gradient, reference)
        self.projected += int(projected is not gradient)
        offset = 0
        for p in params:
            p.grad = projected[offset:offset + p.numel()].view_as(p).clone()
            offset += p.numel()


@register("agem", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: sample_size (memory videos per reference gradient, 8), the memory's selection, gamma, seed."""
    own, memory_params = split_params("agem", ctx, params, ("sample_size",))
    memory = OriginalMemory(ctx.budget, **memory_params)
    sample_size = positive_int("agem", own, "sample_size", 8, 1_000_000)
    return StrategyParts(plugins=[AGEMPlugin(memory, ctx, sample_size)], memory=memory)
