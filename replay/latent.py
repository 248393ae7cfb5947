"""Latent memories (P): per task a frozen TCA decoder plus K latent codes per segment of selected videos.

`condensed` finds the codes by network inversion of the decoder (P Eq. 8); `encoded` takes per
chunk the mean of the encoder means (P's baseline). Both keep each video's transcript (int32 segment
labels and lengths) and regenerate every kept video of a task in one decoder call on the device
`replay` is given. `DecoderMemory` is the part shared with the generative `tca` memory.
"""
from __future__ import annotations

import copy
import math
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch

from replay.budget import Budget
from replay.codes import StoredCodes, check_code_dtype, code_nbytes, quantize
from replay.held import Held
from replay.inversion import decode_codes, encode_codes, invert_codes
from replay.memory import MemoryContext
from replay.reconstructing import ReconstructingMemory
from replay.stored import StoredVideo, split_videos
from replay.tca import TCA, TCADecoder, decoder_num_parameters, frame_tensors
from replay.tca_cache import TCAOrigin, shared_tca
from replay.transcripts import Transcripts, transcript_nbytes
from tasks.errors import DataError
from tasks.video import Video, segments

PARAMETER_BYTES = 4  # decoders are held in float32


# Upper bounds on sizes and step counts, so a typo is a one-line error before anything is allocated
# or trained (a 4e9-wide layer is an allocator traceback, 1e12 epochs a run that never ends); each is
# far beyond P's settings (latent 256, hidden 512, 2,500 TCA epochs, 10,000 inversion steps, K 1 or 8).
MAX_WIDTH = 16_384       # latent and hidden sizes, as the widest generated features (data.dim)
MAX_STEPS = 1_000_000    # TCA epochs and inversion steps
MAX_CODES = 1024         # codes per segment (K)
MAX_BATCH_FRAMES = 2**24


def check_int(name: str, value: object, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise DataError(f"memory {name}: expected an integer in {minimum}..{maximum}, got {value!r}")
    return value


def check_float(name: str, value: object, positive: bool = True) -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))  # NaN passes `< 0`
            or value < 0 or (positive and value == 0)):
        raise DataError(f"memory {name}: expected a number {'> 0' if positive else '>= 0'}, got {value!r}")
    return float(value)


def task_seed(seed: int, *parts: int) -> int:
    """A seed for one task (and draw) of a run, independent across tasks."""
    return int(np.random.SeedSequence([seed, *parts]).generate_state(1)[0])


class DecoderMemory(ReconstructingMemory):
    """Trains one TCA per task on all its training videos and holds the frozen decoder (`decoders`).

    The TCA's seed depends only on the run's seed and the task (not on the memory's selection
    `seed`), so memories with equal TCA parameters train the same model and share it through
    `ctx.tca_cache` (replay.tca_cache); `tca_origins` says per task whether it was trained or loaded.
    The decoder is held on the CPU; `decoder_on` keeps one copy per compute device so weights move
    to a device once, not at every replay.
    """

    def __init__(
        self,
        budget: Budget,
        latent: int = 256,
        hidden: int = 512,
        tca_epochs: int = 2500,
        tca_lr: float = 1e-3,
        beta: float = 1.0,
        batch_frames: int = 4096,
        **params: object,
    ):
        super().__init__(budget, **params)
        self.latent = check_int("latent", latent, 1, MAX_WIDTH)
        self.hidden = check_int("hidden", hidden, 1, MAX_WIDTH)
        self.tca_epochs = check_int("tca_epochs", tca_epochs, 1, MAX_STEPS)
        self.tca_lr = check_float("tca_lr", tca_lr)
        self.beta = check_float("beta", beta, positive=False)
        self.batch_frames = check_int("batch_frames", batch_frames, 1, MAX_BATCH_FRAMES)
        self._trained: TCA | None = None
        self._run_seed = 0
        self._device_decoders: dict[tuple[int, str], TCADecoder] = {}
        self.tca_origins: dict[int, TCAOrigin] = {}

    def task_fixed_cost(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, int]:
        count = decoder_num_parameters(videos[0].dim, ctx.num_classes, self.latent, self.hidden)
        return {"decoders": count * PARAMETER_BYTES}

    def prepare_task(self, task: int, videos: Sequence[Video], ctx: MemoryContext) -> dict[str, Held]:
        self._run_seed = ctx.seed if self.seed is None else self.seed
        model, self.tca_origins[task] = shared_tca(
            ctx.tca_cache, list(videos), ctx.num_classes, ctx.device, ctx.progress, ctx.report, latent=self.latent,
            hidden=self.hidden, epochs=self.tca_epochs, lr=self.tca_lr, batch_frames=self.batch_frames,
            beta=self.beta, seed=task_seed(ctx.seed, task), precision=ctx.precision,
        )
        # Kept only until `encode` has run: the encoder is never held.
        self._trained = model
        return {"decoders": copy.deepcopy(model.decoder).cpu()}

    def finish_task(
        self, task: int, videos: Sequence[Video], kept: Sequence[Video], records: Sequence[StoredVideo],
        state: dict[str, Held], ctx: MemoryContext,
    ) -> dict[str, Held]:
        try:
            return super().finish_task(task, videos, kept, records, state, ctx)
        finally:
            self._trained = None  # the encoder served encoding and residual measurement; it is never held

    def state_dict(self) -> dict:
        return {**super().state_dict(), "run_seed": self._run_seed}

    def load_state_dict(self, state: Mapping) -> None:
        super().load_state_dict(state)
        self._run_seed = int(state["run_seed"])

    def check_loaded(self, num_classes: int) -> None:
        super().check_loaded(num_classes)
        for memory in self.task_memories:
            decoder = memory.state.get("decoders")
            if not isinstance(decoder, TCADecoder):
                raise ValueError(f"task {memory.task}: no decoder")
            found = (decoder.latent, decoder.hidden, decoder.num_classes)
            if found != (self.latent, self.hidden, num_classes):
                raise ValueError(
                    f"task {memory.task}: decoder (latent, hidden, classes) {found}, "
                    f"expected {(self.latent, self.hidden, num_classes)}"
                )

    def decoder_on(self, task: int, state: dict[str, Held], device: torch.device) -> TCADecoder:
        decoder: TCADecoder = state["decoders"]
        device = torch.device(device)
        if device.type == "cpu":
            return decoder
        key = (task, str(device))
        if key not in self._device_decoders:
            self._device_decoders[key] = copy.deepcopy(decoder).to(device)
        return self._device_decoders[key]


class LatentCodeMemory(DecoderMemory):
    """Per kept video min(K, l) codes per segment (`code_dtype`) + transcript; subclasses find the codes."""

    def __init__(
        self,
        budget: Budget,
        selection: str = "diverse",
        gamma: float | None = 0.5,
        seed: int | None = None,
        K: int = 1,  # noqa: N803 (the paper's name, and the config key)
        code_dtype: str = "float32",
        **tca: object,
    ):
        super().__init__(budget, selection=selection, gamma=gamma, seed=seed, **tca)
        self.K = check_int("K", K, 1, MAX_CODES)
        self.code_dtype = check_code_dtype(code_dtype)

    def check_loaded(self, num_classes: int) -> None:
        super().check_loaded(num_classes)
        for memory in self.task_memories:
            for record in memory.records:
                codes, transcript = record.held["codes"], record.held["transcripts"]
                expected = int(np.minimum(self.K, transcript["lengths"]).sum())
                if tuple(codes.values.shape) != (expected, self.latent):
                    raise ValueError(
                        f"{record.name}: codes of shape {tuple(codes.values.shape)}, expected {(expected, self.latent)}"
                    )

    @abstractmethod
    def find_codes(
        self, task: int, state: dict[str, Held], frames: tuple[torch.Tensor, ...], lengths: np.ndarray,
        ctx: MemoryContext,
    ) -> torch.Tensor:
        """(sum min(K, l), d) codes of consecutive segments with these frames (features, labels, c)."""

    def video_cost(self, video: Video) -> dict[str, int]:
        seg_labels, starts, ends = segments(video.labels)
        num_codes = int(np.minimum(self.K, ends - starts).sum())
        return {
            "codes": code_nbytes(num_codes, self.latent, self.code_dtype),
            "transcripts": transcript_nbytes(len(seg_labels)),
        }

    def encode(
        self, task: int, videos: Sequence[Video], state: dict[str, Held], ctx: MemoryContext
    ) -> list[StoredVideo]:
        transcripts = Transcripts.from_videos(list(videos))
        codes = self.find_codes(task, state, frame_tensors(videos, transcripts), transcripts.lengths, ctx)
        stored = quantize(codes, self.code_dtype)
        codes_per_segment = np.minimum(self.K, transcripts.lengths)
        codes_per_video = np.bincount(
            transcripts.video_of_segment(), weights=codes_per_segment, minlength=len(videos)
        ).astype(np.int64)
        ends = np.cumsum(codes_per_video)
        return [
            StoredVideo(
                video.name, video.activity, video.num_frames,
                {"codes": stored.select(np.arange(end - count, end)), "transcripts": transcript},
            )
            for video, transcript, count, end in zip(videos, transcripts.split(), codes_per_video, ends)
        ]

    def decode(
        self, task: int, records: Sequence[StoredVideo], state: dict[str, Held], device: torch.device
    ) -> list[Video]:
        if not records:
            return []
        transcripts = Transcripts.join([record.held["transcripts"] for record in records])
        parts: list[StoredCodes] = [record.held["codes"] for record in records]
        scale = None if parts[0].scale is None else torch.cat([part.scale for part in parts])
        codes = StoredCodes(torch.cat([part.values for part in parts]), scale).dequantize(device)
        frames = decode_codes(self.decoder_on(task, state, device), codes, transcripts.labels, transcripts.lengths,
                              self.K)
        return split_videos(task, records, transcripts, self.regenerate(task, frames, transcripts, state))


class CondensedMemory(LatentCodeMemory):
    """P's condensed replay: codes by network inversion of the task's frozen decoder (all segments
    of the kept videos in one tensor, Adam, each segment's best iterate)."""

    def __init__(self, budget: Budget, inversion_steps: int = 10_000, inversion_lr: float = 1e-2,
                 **params: object):
        super().__init__(budget, **params)
        self.inversion_steps = check_int("inversion_steps", inversion_steps, 0, MAX_STEPS)
        self.inversion_lr = check_float("inversion_lr", inversion_lr)

    def _reporter(self, report: Callable[[str, int, int], None]) -> Callable[[int, torch.Tensor], None]:
        return lambda step, _: report("inversion", step, self.inversion_steps)

    def find_codes(
        self, task: int, state: dict[str, Held], frames: tuple[torch.Tensor, ...], lengths: np.ndarray,
        ctx: MemoryContext,
    ) -> torch.Tensor:
        codes, _ = invert_codes(
            self.decoder_on(task, state, ctx.device), *frames, lengths, k=self.K, steps=self.inversion_steps,
            lr=self.inversion_lr, seed=task_seed(self._run_seed, task, 1), device=ctx.device,
            progress=ctx.progress, on_step=None if ctx.report is None else self._reporter(ctx.report),
        )
        return codes


class EncodedMemory(LatentCodeMemory):
    """P's "Encoded" baseline: per chunk the mean of the task TCA's encoder means, no inversion."""

    def find_codes(
        self, task: int, state: dict[str, Held], frames: tuple[torch.Tensor, ...], lengths: np.ndarray,
        ctx: MemoryContext,
    ) -> torch.Tensor:
        return encode_codes(self._trained.encoder, *frames, lengths, k=self.K, device=ctx.device)
