"""BiC (Wu et al., CVPR 2019) for TAS: an EXTENSION, not in P or T.

Replay with LwF's distillation (strategies/lwf.py), plus BiC's bias correction: after each task
t > 0, two scalars (a, b) are fitted so that the last stage's logits of the new task's classes,
o ← a · o + b, minimise the frame cross-entropy on a held-out validation set, with the model
frozen; at evaluation the correction is applied to every stage's output (the head's argmax reads
the last). As in BiC only the newest task's correction is in force.
The validation set is a held-out part of the memory: of each old task's stored videos the last
`validation` ones (the tail of the memory's ranking) are not replayed in training, and `validation`
videos of the new task (a seeded draw) are held out of its training data; a task whose share holds
no more than `validation` videos is replayed by none of them. Padding frames never enter the fit.
Adapted: BiC balances old and new samples per class in its validation set; here per task, in
videos. The old model used for distillation is uncorrected (BiC distils from the corrected one).
Avalanche has no BiC plugin that accepts per-frame outputs (its BiC strategy reads per-sample
`targets` and builds its own buffer), hence this plugin.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from replay.exemplars import OriginalMemory
from replay.stored import replay_name
from strategies.benchmark import video_dataset
from strategies.derpp import model_logits
from strategies.lwf import DISTILLATION_PARAMS, DistillationPlugin, distillation_params
from strategies.params import positive_int
from strategies.registry import StrategyContext, StrategyParts, register
from strategies.replay_baselines import split_params
from strategies.replay_plugin import ReplayPlugin


def fit_bias(logits: torch.Tensor, labels: torch.Tensor, classes: torch.Tensor, steps: int = 200) -> tuple[float, float]:
    """(a, b) minimising CE(logits with classes' columns a·o + b, labels); logits (N, C) of valid frames."""
    scale = torch.ones((), requires_grad=True)
    shift = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([scale, shift], lr=0.05)
    chosen = torch.zeros(logits.shape[1], dtype=torch.bool)
    chosen[classes] = True
    for _ in range(steps):
        optimizer.zero_grad()
        corrected = torch.where(chosen, logits * scale + shift, logits)
        F.cross_entropy(corrected, labels).backward()
        optimizer.step()
    return scale.item(), shift.item()


def correct(output: torch.Tensor, classes: list[int], scale: float, shift: float) -> torch.Tensor:
    """Output (S, B, C, T) with the given classes' logits scaled and shifted."""
    out = output.clone()
    out[:, :, classes] = output[:, :, classes] * scale + shift
    return out


class BiasCorrectionPlugin(ReplayPlugin):
    def __init__(self, memory: OriginalMemory, ctx: StrategyContext, validation: int, steps: int):
        super().__init__(memory, ctx.train_videos, ctx.num_classes, ctx.seed, ctx.progress, None, ctx.precision)
        self.validation, self.steps = validation, steps
        self.held_out: list[str] = []  # replay names of the memory's validation videos
        self.held_out_current: list[int] = []  # indices of the new task's held-out training videos
        self.correction: dict = {}  # {"classes": [...], "scale": a, "shift": b} of the newest task

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        self.held_out = [replay_name(memory.task, record.name) for memory in self.memory.task_memories
                         for record in memory.records[-self.validation:]]
        replayed = [video for video in self.memory.replay(strategy.device) if video.name not in self.held_out]
        count = len(self.train_videos[task])
        self.held_out_current = []
        if task > 0 and count > self.validation:
            draw = np.random.default_rng((self.seed, task)).permutation(count)
            self.held_out_current = sorted(draw[: self.validation].tolist())
            kept = [i for i in range(count) if i not in self.held_out_current]
            strategy.adapted_dataset = strategy.adapted_dataset.subset(kept)
        self.replayed_videos = len(replayed)
        if replayed:
            strategy.adapted_dataset = strategy.adapted_dataset.concat(video_dataset(replayed))

    def validation_videos(self, task: int) -> list:
        old = [video for video in self.memory.replay(torch.device("cpu")) if video.name in self.held_out]
        return old + [self.train_videos[task][i] for i in self.held_out_current]

    def after_training_exp(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        videos = self.validation_videos(task)
        if task > 0 and videos:
            classes = sorted({int(c) for video in self.train_videos[task] for c in np.unique(video.labels)})
            logits = torch.from_numpy(np.concatenate(model_logits(strategy.model, videos, strategy.device)))
            labels = torch.from_numpy(np.concatenate([video.labels for video in videos])).long()
            scale, shift = fit_bias(logits, labels, torch.tensor(classes), self.steps)
            self.correction = {"classes": classes, "scale": scale, "shift": shift}
        super().after_training_exp(strategy, **kwargs)

    def after_eval_forward(self, strategy, **kwargs) -> None:
        if self.correction:
            c = self.correction
            strategy.mb_output = correct(strategy.mb_output, c["classes"], c["scale"], c["shift"])


@register("bic", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: validation (held-out videos per task, 1), bias_steps (Adam steps fitting a, b, 200),
    alpha and temperature (distillation, as LwF), the memory's selection, gamma, seed."""
    own, memory_params = split_params("bic", ctx, params, ("validation", "bias_steps", *DISTILLATION_PARAMS))
    alpha, temperature = distillation_params("bic", own)
    validation = positive_int("bic", own, "validation", 1, 1_000_000)
    bias_steps = positive_int("bic", own, "bias_steps", 200, 1_000_000)
    plugin = BiasCorrectionPlugin(OriginalMemory(ctx.budget, **memory_params), ctx, validation, bias_steps)
    return StrategyParts(plugins=[DistillationPlugin(alpha, temperature), plugin], memory=plugin.memory)
