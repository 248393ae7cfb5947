"""Memories that replay a reconstruction of real features (mean, coreset, encoded, condensed, tca),
with optional noise-matched regeneration (`noise: residual`, see replay.residual_noise).

With `noise: none` (default, the papers' methods) nothing is measured or added and the replay is
exactly the reconstruction. With `noise: residual` each task's statistics are task-level state
under the `noise` component: measured once the kept videos are encoded, counted in bytes, saved in
memory files, and used to add seeded AR(1) noise to every replayed frame in the decode call.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from replay.budget import Budget
from replay.memory import MemoryContext
from replay.residual_noise import (ResidualNoise, check_draws, check_noise, check_rank, measure_noise, noise_nbytes,
                                  noise_seed, sample_noise)
from replay.stored import SelectedVideoMemory, State, StoredVideo
from replay.transcripts import Transcripts
from tasks.video import Video


def task_classes(videos: Sequence[Video]) -> np.ndarray:
    """Sorted action classes present in a task's videos (the rows of its noise statistics)."""
    return np.unique(np.concatenate([video.labels for video in videos]))


class ReconstructingMemory(SelectedVideoMemory):
    """A memory whose replay is a reconstruction; `noise`: none | residual, `noise_rank`: null | r,
    `noise_draws`: fresh | fixed."""

    def __init__(
        self,
        budget: Budget,
        selection: str = "random",
        gamma: float | None = None,
        seed: int | None = None,
        noise: str = "none",
        noise_rank: int | None = None,
        noise_draws: str = "fresh",
    ):
        super().__init__(budget, selection, gamma, seed)
        self.noise, self.noise_rank = check_noise(noise, noise_rank)
        self.noise_draws = check_draws(self.noise, noise_draws)
        self._noise_seed = 0
        self._replays = 0

    def reconstruction(
        self, task: int, videos: Sequence[Video], kept: Sequence[Video], records: Sequence[StoredVideo],
        state: State, ctx: MemoryContext,
    ) -> tuple[Transcripts, torch.Tensor, torch.Tensor]:
        """Frames whose residual is measured: (their transcripts, real (N, D), reconstruction (N, D)).
        Default: the kept videos and their noise-free decode."""
        transcripts = Transcripts.from_videos(list(kept))
        real = torch.from_numpy(np.concatenate([video.features for video in kept]))
        decoded = np.concatenate([video.features for video in self.decode(task, records, state, ctx.device)])
        return transcripts, real.to(ctx.device), torch.from_numpy(decoded).to(ctx.device)

    def finish_cost(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, int]:
        if self.noise == "none":
            return {}
        check_rank(self.noise_rank, videos[0].dim)
        return {"noise": noise_nbytes(len(task_classes(videos)), videos[0].dim, self.noise_rank)}

    def finish_task(
        self, task: int, videos: Sequence[Video], kept: Sequence[Video], records: Sequence[StoredVideo],
        state: State, ctx: MemoryContext,
    ) -> State:
        if self.noise == "none":
            return {}
        self._noise_seed = ctx.seed if self.seed is None else self.seed
        transcripts, real, reconstruction = self.reconstruction(task, videos, kept, records, state, ctx)
        labels = torch.from_numpy(transcripts.frame_labels()).to(ctx.device)
        stats = measure_noise(real, reconstruction, labels, transcripts.lengths, task_classes(videos), self.noise_rank)
        return {"noise": stats}

    def regenerate(self, task: int, frames: torch.Tensor, transcripts: Transcripts, state: State) -> torch.Tensor:
        """The replayed frames: `frames` (the reconstruction), plus noise once the task has statistics."""
        stats = state.get("noise")
        if stats is None:
            return frames
        labels = torch.from_numpy(transcripts.frame_labels()).to(frames.device)
        seed = noise_seed(self._noise_seed, task, self._replays if self.noise_draws == "fresh" else 0)
        return frames + sample_noise(stats, labels, transcripts.lengths, seed).to(frames.dtype)

    def replay(self, device: torch.device) -> list[Video]:
        self._replays += 1
        return super().replay(device)

    def state_dict(self) -> dict:
        return {**super().state_dict(), "noise_seed": self._noise_seed, "replays": self._replays}

    def load_state_dict(self, state: Mapping) -> None:
        super().load_state_dict(state)
        self._noise_seed = int(state.get("noise_seed", 0))
        self._replays = int(state.get("replays", 0))

    def check_loaded(self, num_classes: int) -> None:
        super().check_loaded(num_classes)
        for memory in self.task_memories:
            stats = memory.state.get("noise")
            if (stats is not None) != (self.noise == "residual"):
                raise ValueError(f"task {memory.task}: noise statistics do not match noise: {self.noise}")
            if stats is not None and not isinstance(stats, ResidualNoise):
                raise ValueError(f"task {memory.task}: noise statistics of an unknown kind")
            rank = None if stats is None or stats.basis is None else stats.basis.shape[1]
            if stats is not None and rank != self.noise_rank:
                raise ValueError(f"task {memory.task}: noise statistics of rank {rank}, expected {self.noise_rank}")
