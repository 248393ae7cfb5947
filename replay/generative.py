"""T's generative replay (`tca`): per task a frozen TCA decoder and the transcripts of ALL its
training videos; each replay samples transcripts uniformly and decodes them with one z ~ N(0, I) per
segment (T §4.2), fresh samples at every call.

Decoder and transcripts are task-level state (the fixed cost a byte budget counts unless
`count_decoders: false`, P's accounting where TCA stores "–"). The per-video records are empty
replay slots: their number is the task's share of a videos budget (or all of its videos under a
byte budget), i.e. how many videos the task replays.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from replay.budget import Budget
from replay.held import Held
from replay.inversion import decode_codes
from replay.latent import DecoderMemory, task_seed
from replay.memory import MemoryContext
from replay.stored import StoredVideo, split_videos
from replay.tca import frame_tensors
from replay.transcripts import Transcripts
from tasks.video import Video


class GenerativeMemory(DecoderMemory):
    """`tca`: replay sampled real transcripts decoded from random codes."""

    def __init__(self, budget: Budget, **params: object):
        super().__init__(budget, **params)
        self._draws = 0
        # Bookkeeping for naming replays, not counted (as StoredVideo names are not).
        self._sources: dict[int, list[tuple[str, str]]] = {}

    def task_fixed_cost(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, int]:
        costs = super().task_fixed_cost(task, videos, ctx)
        return {**costs, "transcripts": Transcripts.from_videos(list(videos)).nbytes}

    def prepare_task(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, Held]:
        state = super().prepare_task(task, videos, ctx)
        self._sources[task] = [(video.name, video.activity) for video in videos]
        return {**state, "transcripts": Transcripts.from_videos(list(videos))}

    def state_dict(self) -> dict:
        return {**super().state_dict(), "draws": self._draws, "sources": self._sources}

    def load_state_dict(self, state: Mapping) -> None:
        super().load_state_dict(state)
        self._draws = int(state["draws"])
        self._sources = {int(task): [(str(name), str(activity)) for name, activity in sources]
                         for task, sources in state["sources"].items()}

    def check_loaded(self, num_classes: int) -> None:
        super().check_loaded(num_classes)
        for memory in self.task_memories:
            pool = memory.state.get("transcripts")
            if not isinstance(pool, Transcripts) or pool.num_videos != len(self._sources.get(memory.task, ())):
                raise ValueError(f"task {memory.task}: transcripts do not match the named source videos")

    def video_cost(self, video: Video) -> dict[str, int]:
        return {}

    def encode(
        self, task: int, videos: Sequence[Video], state: dict[str, Held], ctx: MemoryContext
    ) -> list[StoredVideo]:
        return [StoredVideo(video.name, video.activity, video.num_frames, {}) for video in videos]

    @torch.no_grad()
    def reconstruction(
        self, task: int, videos: Sequence[Video], kept: Sequence[Video], records: Sequence[StoredVideo],
        state: dict[str, Held], ctx: MemoryContext,
    ) -> tuple[Transcripts, torch.Tensor, torch.Tensor]:
        """All the task's training frames and the decoder's output at their encoder means."""
        transcripts = Transcripts.from_videos(list(videos))
        features, labels, coherence = (tensor.to(ctx.device) for tensor in frame_tensors(videos, transcripts))
        means, _ = self._trained.encoder(features, labels, coherence)
        return transcripts, features, self.decoder_on(task, state, ctx.device)(means, labels, coherence)

    def replay(self, device: torch.device) -> list[Video]:
        self._draws += 1
        return super().replay(device)

    def decode(
        self, task: int, records: Sequence[StoredVideo], state: dict[str, Held], device: torch.device
    ) -> list[Video]:
        if not records:
            return []
        seed = task_seed(self._run_seed, task, self._draws)
        pool: Transcripts = state["transcripts"]
        picks = np.random.default_rng(seed).integers(0, pool.num_videos, size=len(records))
        sampled = pool.select(picks)
        decoder = self.decoder_on(task, state, device)
        generator = torch.Generator(device=device).manual_seed(seed)
        codes = torch.randn(sampled.num_segments, self.latent, generator=generator, device=device)
        frames = decode_codes(decoder, codes, sampled.labels, sampled.lengths, 1)
        sources = self._sources[task]
        slots = [
            StoredVideo(f"sample{index}:{sources[pick][0]}", sources[pick][1], 0, {})
            for index, pick in enumerate(picks)
        ]
        return split_videos(task, slots, sampled, self.regenerate(task, frames, sampled, state))
