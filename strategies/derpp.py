"""DER++ (Buzzega et al., NeurIPS 2020) for TAS: an EXTENSION, not in P or T.

Replayed videos come with the last stage's logits the model gave them when they were stored; the
loss is the MS-TCN loss on the current videos + α · MSE(logits, stored logits) + β · MS-TCN loss on
the replayed videos, each term averaged over valid frames only (padding never enters a loss or the
logit store).
Adapted: DER++ fills a reservoir buffer during training and keeps the logits of that moment; here
the memory is the `original` memory under the run's budget and selection (whole videos, chosen and
evicted like every other memory, so budgets compare at equal bytes), and the logits are stored when
a task's videos enter the memory, i.e. by the model at the end of that task (eval mode). Replayed
videos join the training data (as for ER) instead of being sampled as separate mini-batches.
Avalanche's DER strategy keeps per-sample logits of fixed-size inputs and cannot hold per-frame
outputs of videos of different lengths, hence this plugin. Logits are one (T, C) array per video,
float16 by default (`logits: float32` to keep them exact), counted under `other`.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from replay.exemplars import OriginalMemory
from replay.memory import MemoryContext
from replay.stored import State, StoredVideo, replay_name
from strategies.params import number_param
from strategies.registry import StrategyContext, StrategyParts, register
from strategies.replay_baselines import replayed_rows, rows_tas_loss, split_params
from strategies.replay_plugin import ReplayPlugin
from tasks.errors import DataError
from tasks.torchdata import VideoDataset, pad_collate
from tasks.video import Video

LOGIT_DTYPES = ("float16", "float32")


class LogitMemory(OriginalMemory):
    """`original`'s videos plus each video's last-stage logits (T, C) when it was stored.

    `logit_model` is set by the plugin while a task is added (the logits need the trained model)."""

    def __init__(self, budget, num_classes: int, logits: str = "float16", **params):
        super().__init__(budget, **params)
        self.num_classes = num_classes
        self.logit_dtype = logits
        self.logit_model: torch.nn.Module | None = None

    def video_cost(self, video: Video) -> dict[str, int]:
        itemsize = np.dtype(self.logit_dtype).itemsize
        return {**super().video_cost(video), "other": video.num_frames * self.num_classes * itemsize}

    def encode(self, task: int, videos: Sequence[Video], state: State, ctx: MemoryContext) -> list[StoredVideo]:
        records = super().encode(task, videos, state, ctx)
        for record, logits in zip(records, model_logits(self.logit_model, videos, ctx.device)):
            record.held["other"] = logits.astype(self.logit_dtype)
        return records

    def stored_logits(self, device: torch.device) -> dict[str, torch.Tensor]:
        """Replay name → (C, T) float32 logits as stored, for every held video."""
        return {replay_name(memory.task, record.name): torch.from_numpy(record.held["other"].T.astype(np.float32)).to(device)
                for memory in self.task_memories for record in memory.records}


def model_logits(model: torch.nn.Module, videos: Sequence[Video], device: torch.device, batch: int = 8) -> list[np.ndarray]:
    """Each video's last-stage logits (T, C) float32, in eval mode without gradients."""
    was_training = model.training
    model.eval()
    dataset, out = VideoDataset(videos), []
    with torch.no_grad():
        for first in range(0, len(videos), batch):
            items = pad_collate([dataset[i] for i in range(first, min(first + batch, len(videos)))])
            logits = model(items["x"].to(device), items["mask"].to(device)).float()[-1]
            out += [logits[i, :, :n].T.cpu().numpy() for i, n in enumerate(items["mask"].sum(dim=1).long().tolist())]
    model.train(was_training)
    return out


def logit_mse(logits: torch.Tensor, stored: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over valid frames (and classes) of the squared logit difference; (B, C, T), (B, T)."""
    valid = mask.bool().unsqueeze(1).expand_as(logits)
    squared = torch.where(valid, (logits - stored).square(), 0.0)
    return squared.sum() / valid.sum().clamp_min(1)


class DERPlugin(ReplayPlugin):
    """Replay with stored logits: adds the task to the memory with the model at hand, and replaces
    the template's loss by DER++'s."""

    def __init__(self, memory: LogitMemory, ctx: StrategyContext, alpha: float, beta: float):
        super().__init__(memory, ctx.train_videos, ctx.num_classes, ctx.seed, ctx.progress, None, ctx.precision)
        self.alpha, self.beta = alpha, beta
        self.targets: dict[str, torch.Tensor] = {}  # replay name → stored (C, T) logits, while a task trains

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        super().after_train_dataset_adaptation(strategy, **kwargs)
        self.targets = self.memory.stored_logits(strategy.device)

    def before_backward(self, strategy, **kwargs) -> None:
        names = strategy.mbatch["video"]
        rows = replayed_rows(names, strategy.device)
        out, y, mask = strategy.mb_output, strategy.mb_y, strategy.mb_mask
        loss = rows_tas_loss(out, y, mask, ~rows) + self.beta * rows_tas_loss(out, y, mask, rows)
        if bool(rows.any()):
            stored = torch.zeros_like(out[-1])
            for row in rows.nonzero().squeeze(1).tolist():
                target = self.targets[names[row]]
                stored[row, :, :target.shape[1]] = target
            loss = loss + self.alpha * logit_mse(out[-1][rows], stored[rows], mask[rows])
        strategy.loss = loss

    def after_training_exp(self, strategy, **kwargs) -> None:
        self.memory.logit_model = strategy.model
        try:
            super().after_training_exp(strategy, **kwargs)
        finally:
            self.memory.logit_model = None
        self.targets = {}


@register("derpp", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: alpha (logit MSE weight, 0.1), beta (replay CE weight, 0.5), logits (float16 |
    float32), and the memory's selection, gamma, seed. α, β are not tuned here (DER++ reports
    values between 0.1 and 1 across its benchmarks)."""
    own, memory_params = split_params("derpp", ctx, params, ("alpha", "beta", "logits"))
    logits = own.get("logits", "float16")
    if logits not in LOGIT_DTYPES:
        raise DataError(f"strategies.derpp: parameter 'logits' must be one of {', '.join(LOGIT_DTYPES)}, got {logits!r}")
    memory = LogitMemory(ctx.budget, ctx.num_classes, logits, **memory_params)
    plugin = DERPlugin(memory, ctx, number_param("derpp", own, "alpha", 0.1), number_param("derpp", own, "beta", 0.5))
    return StrategyParts(plugins=[plugin], memory=memory)
