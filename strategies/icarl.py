"""iCaRL for TAS (after Rebuffi et al., CVPR 2017): an EXTENSION, not in P or T.

T cites iCaRL only for the CIL definition, exemplar sets and the 1:25 budget ratio; neither paper
runs it, nor herding, nearest-mean classification or distillation. Avalanche's `ICaRL` needs one
label per sample, fixed-size inputs and a legacy NCScenario (avalanche#774, #1645), so it is rebuilt
here as plugins:

- exemplars: after each task, herding per class on the backbone's last-stage per-frame embeddings
  (`model.last_embedding`, L2-normalised) of the task's training frames; each pick is kept as a
  short clip of real features and labels under the run's budget (strategies/icarl_memory.py);
- replay: the held clips join the next tasks' training data as short videos;
- distillation: the LwF term of strategies/lwf.py against the previous model, on current and
  exemplar videos alike, mask-aware. iCaRL's sigmoid/BCE distillation is replaced by the same
  temperature-softmax KL as LwF, so the two strategies differ only in the exemplars;
- evaluation: nearest-mean-of-exemplars per frame, reported as "<label>-nme" beside the head.
  Class means average the normalised embeddings of every stored frame of the class (all frames of
  all clips, by their labels), recomputed with the current model after each task, then normalised;
  a frame goes to the class of highest cosine among classes that have exemplars.
  Caveat: clips are embedded in the replay sequences that join `clips_per_video` clips of different
  videos, so a frame's temporal context is its own clip and its neighbours, while test frames see
  whole videos; the means inherit that shift, worst for the newest task, whose clips the
  model has not yet trained on. On a 2-task breakfast-like check (16-d, 15 epochs, videos: 6) NME
  on the new task reached 6.7% Acc with `clip: 8` and 31.4% with `clip: 32` (head: 67%); class
  means from its full training videos would give about 60%. Longer clips narrow the gap.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from avalanche.core import SupervisedPlugin

from strategies.benchmark import video_dataset
from strategies.icarl_memory import ClipMemory
from strategies.lwf import DISTILLATION_PARAMS, DistillationPlugin, distillation_params
from strategies.params import positive_int
from strategies.registry import StrategyContext, StrategyParts, register, reject_params
from tasks.errors import DataError
from tasks.torchdata import VideoDataset, pad_collate
from tasks.video import Video

# Padded frames per embedding pass: bounds device memory on long 2048-d videos.
MAX_BATCH_FRAMES = 1 << 16


def _batches(videos: Sequence[Video]) -> list[list[int]]:
    """Consecutive video indices grouped so that a padded batch stays under MAX_BATCH_FRAMES."""
    groups: list[list[int]] = []
    longest = 0
    for index, video in enumerate(videos):
        longest_with = max(longest, video.num_frames)
        if groups and longest_with * (len(groups[-1]) + 1) <= MAX_BATCH_FRAMES:
            groups[-1].append(index)
            longest = longest_with
        else:
            groups.append([index])
            longest = video.num_frames
    return groups


def last_embedding(model: torch.nn.Module) -> torch.Tensor:
    """The (B, E, T) per-frame maps the backbone kept from its last forward."""
    embedding = getattr(model, "last_embedding", None)
    if embedding is None:
        raise DataError(f"strategies.icarl: backbone {type(model).__name__} exposes no last_embedding "
                        "(per-frame maps of its last stage); iCaRL needs them")
    return embedding.float()  # bfloat16 under train.precision bf16; class means stay float32


def frame_embeddings(model: torch.nn.Module, videos: Sequence[Video], device: torch.device) -> torch.Tensor:
    """(N, E) L2-normalised last-stage embeddings of every frame of `videos`, in order, on `device`.

    The model runs in eval mode (no dropout) without gradients; its train/eval mode is restored.
    """
    dataset = VideoDataset(videos)
    was_training = model.training
    model.eval()
    parts = []
    with torch.no_grad():
        for group in _batches(videos):
            batch = pad_collate([dataset[i] for i in group])
            mask = batch["mask"].to(device)
            model(batch["x"].to(device), mask)
            # Row-major boolean indexing keeps frames in video order, then time order.
            parts.append(last_embedding(model).transpose(1, 2)[mask.bool()])
    model.train(was_training)
    return F.normalize(torch.cat(parts), dim=1)


def exemplar_class_means(model: torch.nn.Module, clips: Sequence[Video], num_classes: int,
                         device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """(class ids (K,), normalised means (K, E)) over the stored frames, for the K classes present."""
    embeddings = frame_embeddings(model, clips, device)
    labels = torch.cat([torch.from_numpy(clip.labels) for clip in clips]).to(device)
    sums = torch.zeros(num_classes, embeddings.shape[1], device=device).index_add_(0, labels, embeddings)
    counts = torch.bincount(labels, minlength=num_classes)
    present = torch.nonzero(counts).squeeze(1)
    return present, F.normalize(sums[present] / counts[present].unsqueeze(1), dim=1)


def nearest_mean(embedding: torch.Tensor, class_ids: torch.Tensor, means: torch.Tensor) -> torch.Tensor:
    """Per-frame class of highest cosine similarity: embedding (B, E, T) → (B, T) class ids."""
    similarity = torch.einsum("ke,bet->bkt", means, F.normalize(embedding, dim=1))
    return class_ids[similarity.argmax(dim=1)]


class ExemplarClipPlugin(SupervisedPlugin):
    """Replays the held clips, herds new ones after each task and serves the NME predictor."""

    def __init__(self, memory: ClipMemory, train_videos: Sequence[Sequence[Video]], num_classes: int):
        super().__init__()
        self.memory = memory
        self.train_videos = train_videos
        self.num_classes = num_classes
        self.class_ids: torch.Tensor | None = None
        self.class_means: torch.Tensor | None = None

    def after_train_dataset_adaptation(self, strategy, **kwargs) -> None:
        clips = self.memory.replay(strategy.device)
        if clips:
            strategy.adapted_dataset = strategy.adapted_dataset.concat(video_dataset(clips))

    def after_training_exp(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        videos = list(self.train_videos[task])
        self.memory.add_task(task, videos, frame_embeddings(strategy.model, videos, strategy.device))
        self.class_ids, self.class_means = exemplar_class_means(
            strategy.model, self.memory.replay(strategy.device), self.num_classes, strategy.device
        )
        strategy.frame_predictors["nme"] = self.predict

    def predict(self, strategy) -> torch.Tensor:
        return nearest_mean(last_embedding(strategy.model), self.class_ids, self.class_means)


@register("icarl", uses_memory=True)
def build(ctx: StrategyContext, params: dict) -> StrategyParts:
    """params: clip (frames per exemplar clip, 8), clips_per_video (clips per video of a video
    budget, 8), alpha (distillation weight, 1.0), temperature (2.0)."""
    reject_params("icarl", params, ("clip", "clips_per_video", *DISTILLATION_PARAMS))
    if ctx.budget is None:
        raise DataError("strategies.icarl: needs a replay budget (budgets: [{videos: N}] or [{bytes: ...}])")
    memory = ClipMemory(ctx.budget, positive_int("icarl", params, "clip", 8, 100_000),
                        positive_int("icarl", params, "clips_per_video", 8, 10_000))
    alpha, temperature = distillation_params("icarl", params)
    plugins = [DistillationPlugin(alpha, temperature),
               ExemplarClipPlugin(memory, ctx.train_videos, ctx.num_classes)]
    return StrategyParts(plugins=plugins, memory=memory)
