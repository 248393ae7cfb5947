"""The embedded procedural dataset: Breakfast-like videos generated from a seed into the MS-TCN
layout, so that the real reader is always the path taken.

Structure: per activity a transcript grammar over the real action set (tasks/activities.py), SIL
at start and end, log-normal segment lengths per action fitted to the real Breakfast quantiles.
Features of a frame at progress c in a segment of action a (constants per preset: tasks/presets.py):

    (1 - c) * start[a] + c * end[a]      action prototypes, shared across activities
    + scene offset                       person + camera + video terms in a few directions
    + AR(1) noise                        temporally correlated, isotropic; white at low rates
    + drift (`drift_scale` > 0)          a smooth Gaussian process, isotropic, across segments
    + segment offset (`segment_scale` > 0)  one isotropic offset per segment instance
    + structure (optional, `structure` > 0) learnable within-segment variation, below

With `structure` = s > 0 a frame also gets s times: a smooth nonlinear trajectory per action over
its progress (harmonics sin(πkc) that vanish at the segment's ends, so start and end prototypes are
kept), warped per instance in pace (c^p) and amplitude, plus a per-instance offset in a low-rank
per-action subspace, plus a full-rank per-video appearance offset. `noise_std` and
`noise_correlation` override the preset's AR(1) noise std and correlation. The structured part,
the drift and the segment offsets draw from their own random streams, so a preset without them
(`noise-dominated`) gives exactly the output it gave before they existed.

`length_scale` shortens videos as a lower frame rate would: the noise correlation is stated per
real (15 fps) frame and raised to 1/length_scale, and the drift's correlation time is in real
frames, so a segment spans as many correlation times at every scale. Without that, short
quick-scale segments would carry a large full-rank per-segment noise mean (the average of a few
strongly correlated frames) that real-length segments average out.

Prototypes live in a subspace of fixed rank so that difficulty does not depend on `dim`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterator

import numpy as np
import psutil

from tasks.activities import BACKGROUND, MAX_SEGMENTS, Grammar
from tasks.errors import DataError
from tasks.mstcn import write_dataset
from tasks.presets import DEFAULT_PRESET, PRESETS, STRUCTURE, Difficulty, Preset, preset_fingerprint
from tasks.video import coherence, tile_segments

GENERATOR_VERSION = 5  # 5: drift and segment offsets; breakfast-like calibrated, v4's default is noise-dominated
SPLIT = 1
TEST_FRACTION = 0.25  # Breakfast split 1 tests on 13 of 52 persons
FIRST_PERSON, MAX_PERSONS = 3, 52  # Breakfast persons are P03..P54
CAMERAS = ("cam01", "cam02", "webcam01", "webcam02", "stereo01")
MAX_DIM = 16_384  # feature dimension (real I3D: 2048)
MAX_LENGTH_SCALE = 10.0  # segment lengths relative to real Breakfast (1: real)
COVERAGE_TRIES = 1000
Z90 = 1.2815515655446004  # standard normal 90% quantile: p90/p10 of a log-normal give its sigma


@dataclass(frozen=True)
class GeneratorParams:
    preset: str = DEFAULT_PRESET
    dim: int = 64
    videos_per_activity: int = 24
    length_scale: float = 0.1
    seed: int = 0
    noise_std: float | None = None          # AR(1) noise std per dimension, white at low rates (None: the preset's)
    noise_correlation: float | None = None  # its AR(1) coefficient per real-rate frame (None: preset's)
    structure: float = 0.0                  # amplitude s of the structured within-segment part

    def difficulty(self) -> Difficulty:
        """The preset's difficulty with this dataset's white-noise overrides."""
        diff = PRESETS[self.preset].difficulty
        if self.noise_std is not None:
            diff = replace(diff, noise_scale=float(self.noise_std))
        if self.noise_correlation is not None:
            diff = replace(diff, noise_correlation=float(self.noise_correlation))
        return diff

    def validate(self) -> None:
        if self.preset not in PRESETS:
            raise DataError(f"preset: expected one of {sorted(PRESETS)}, got {self.preset!r}")
        limit = MAX_PERSONS * len(CAMERAS)
        if not 2 <= self.videos_per_activity <= limit:
            raise DataError(
                f"videos_per_activity: expected 2..{limit}, got {self.videos_per_activity}"
            )
        rank = PRESETS[self.preset].difficulty.scene_directions
        if self.dim < rank + 1:
            raise DataError(f"dim: expected at least {rank + 1}, got {self.dim}")
        if self.dim > MAX_DIM:
            raise DataError(f"dim: expected at most {MAX_DIM}, got {self.dim}")
        if not 0 < self.length_scale <= MAX_LENGTH_SCALE:
            raise DataError(f"length_scale: expected a number in (0, {MAX_LENGTH_SCALE:g}], got {self.length_scale}")
        checks = [("noise_std", self.noise_std, "a number >= 0 or null", lambda v: v >= 0, True),
                  ("noise_correlation", self.noise_correlation, "a number in [0, 1) or null", lambda v: 0 <= v < 1, True),
                  ("structure", self.structure, "a number >= 0", lambda v: v >= 0, False)]
        for key, value, expected, within, nullable in checks:
            if value is None and nullable:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not within(value):
                raise DataError(f"{key}: expected {expected}, got {value!r}")


@dataclass
class VideoPlan:
    """Everything about a video except its features."""

    name: str
    activity: str
    split: str
    person: int
    camera: int
    segment_actions: np.ndarray  # mapping ids
    lengths: np.ndarray


def sample_transcript(grammar: Grammar, rng: np.random.Generator) -> list[str]:
    """SIL, the grammar's foreground steps (optional steps, loops, local swaps), SIL."""
    steps: list[str] = []
    while not steps:
        for block in grammar.blocks:
            while True:
                if block.one_of:
                    weights = np.array([keep for _, keep in block.steps])
                    steps.append(block.steps[rng.choice(len(weights), p=weights / weights.sum())][0])
                else:
                    steps += [action for action, keep in block.steps if rng.random() < keep]
                if rng.random() >= block.again:
                    break
    i = 0
    while i < len(steps) - 1:
        if rng.random() < grammar.swap:
            steps[i], steps[i + 1] = steps[i + 1], steps[i]
            i += 2
        else:
            i += 1
    merged = [a for i, a in enumerate(steps) if i == 0 or a != steps[i - 1]]
    return [BACKGROUND] + merged[: MAX_SEGMENTS - 2] + [BACKGROUND]


def _log_sigma(p10: float, p90: float) -> float:
    return float(np.log(p90 / p10) / (2 * Z90))


def action_log_medians(preset: Preset, rng: np.random.Generator) -> np.ndarray:
    """Per action the log of its median segment length; foreground medians spread around the real
    foreground median (centred so the pooled median stays put), background at the real bg median."""
    stats = preset.lengths
    offsets = rng.normal(0.0, preset.difficulty.action_length_spread, len(preset.actions))
    log_medians = np.log(stats.fg_median) + offsets - offsets.mean()
    log_medians[preset.actions.index(BACKGROUND)] = np.log(stats.bg_median)
    return log_medians


def sample_lengths(segment_actions: np.ndarray, log_medians: np.ndarray, preset: Preset,
                   length_scale: float, rng: np.random.Generator) -> np.ndarray:
    """Log-normal lengths in frames; within-action sigma so the pooled spread matches the real
    p10/p90 (the between-action spread already accounts for part of it)."""
    stats, spread = preset.lengths, preset.difficulty.action_length_spread
    fg_sigma = np.sqrt(max(_log_sigma(stats.fg_p10, stats.fg_p90) ** 2 - spread ** 2, 0.0))
    bg_sigma = _log_sigma(stats.bg_p10, stats.bg_p90)
    is_bg = segment_actions == preset.actions.index(BACKGROUND)
    sigma = np.where(is_bg, bg_sigma, fg_sigma)
    lengths = np.exp(log_medians[segment_actions] + sigma * rng.standard_normal(len(sigma)))
    return np.maximum(np.rint(lengths * length_scale), 1).astype(np.int64)


def plan_videos(params: GeneratorParams) -> list[VideoPlan]:
    """Names, splits, transcripts and segment lengths of every video, deterministic in the seed."""
    params.validate()
    preset = PRESETS[params.preset]
    rng = np.random.default_rng([params.seed, 0])
    log_medians = action_log_medians(preset, rng)
    n_persons = min(params.videos_per_activity, MAX_PERSONS)
    n_test = max(1, round(TEST_FRACTION * n_persons))
    action_ids = {a: i for i, a in enumerate(preset.actions)}
    persons = np.arange(params.videos_per_activity) % n_persons
    is_train = persons >= n_test
    plans = []
    for activity in sorted(preset.grammars):
        transcripts = _covering_transcripts(activity, preset.grammars[activity], is_train, rng)
        for i, transcript in enumerate(transcripts):
            person, camera = int(persons[i]), i // n_persons
            pid = f"P{FIRST_PERSON + person:02d}"
            ids = np.array([action_ids[a] for a in transcript])
            plans.append(VideoPlan(
                name=f"{pid}_{CAMERAS[camera]}_{pid}_{activity}",
                activity=activity,
                split="train" if is_train[i] else "test",
                person=person,
                camera=camera,
                segment_actions=ids,
                lengths=sample_lengths(ids, log_medians, preset, params.length_scale, rng),
            ))
    return plans


def _covering_transcripts(activity: str, grammar: Grammar, is_train: np.ndarray,
                          rng: np.random.Generator) -> list[list[str]]:
    """Transcripts of one activity, redrawn until the training videos show every action of it,
    so the label space (84 classes for breakfast-like) does not depend on the seed."""
    needed = set(grammar.actions()) | {BACKGROUND}
    for _ in range(COVERAGE_TRIES):
        transcripts = [sample_transcript(grammar, rng) for _ in range(len(is_train))]
        if {a for t, train in zip(transcripts, is_train) if train for a in t} >= needed:
            return transcripts
    raise DataError(
        f"videos_per_activity: {len(is_train)} videos are too few to show every {activity} action "
        "in the training split; use more"
    )


def _orthonormal(rng: np.random.Generator, dim: int, rank: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((dim, rank)))
    return q


@dataclass
class FeatureWorld:
    """The seeded feature space: prototypes (A, D) and scene terms (persons/cameras, D)."""

    start: np.ndarray
    end: np.ndarray
    person_offsets: np.ndarray
    camera_offsets: np.ndarray
    scene_basis: np.ndarray


def build_world(params: GeneratorParams) -> FeatureWorld:
    preset = PRESETS[params.preset]
    diff = preset.difficulty
    rng = np.random.default_rng([params.seed, 1])
    rank = min(diff.signal_rank, params.dim)
    signal = _orthonormal(rng, params.dim, rank)
    n_actions = len(preset.actions)
    centre = diff.prototype_scale * rng.standard_normal((n_actions, rank))
    half_path = diff.progress_scale * rng.standard_normal((n_actions, rank))
    scene = _orthonormal(rng, params.dim, diff.scene_directions)
    persons = diff.person_scale * rng.standard_normal((MAX_PERSONS, diff.scene_directions))
    cameras = diff.camera_scale * rng.standard_normal((len(CAMERAS), diff.scene_directions))
    return FeatureWorld(
        start=((centre - half_path) @ signal.T).astype(np.float32),
        end=((centre + half_path) @ signal.T).astype(np.float32),
        person_offsets=(persons @ scene.T).astype(np.float32),
        camera_offsets=(cameras @ scene.T).astype(np.float32),
        scene_basis=scene,
    )


def ar1_noise(length: int, dim: int, rho: float, scale: float,
              rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) noise (length, dim): x_t = rho x_{t-1} + e_t, computed as a causal
    convolution with rho**k via FFT (exact, no loop over frames)."""
    innovations = rng.standard_normal((length, dim)) * np.sqrt(1 - rho ** 2)
    innovations[0] /= np.sqrt(1 - rho ** 2)  # start in the stationary distribution
    n_fft = 2 * length
    kernel = rho ** np.arange(length)
    spectrum = np.fft.rfft(innovations, n=n_fft, axis=0) * np.fft.rfft(kernel, n=n_fft)[:, None]
    return (scale * np.fft.irfft(spectrum, n=n_fft, axis=0)[:length]).astype(np.float32)


@dataclass
class StructureWorld:
    """Per action its trajectory harmonics (A, K, D) and per-instance offset basis (A, r, D)."""

    harmonics: np.ndarray
    instance_basis: np.ndarray


def build_structure(params: GeneratorParams) -> StructureWorld:
    rng = np.random.default_rng([params.seed, 3])
    n_actions = len(PRESETS[params.preset].actions)
    k = np.arange(1, STRUCTURE.harmonics + 1)
    # sin(πkc) over c ~ U(0, 1) varies by 1/2 - (2/πk)² (odd k) or 1/2 (even k) around its mean;
    # weights of variance 1/(K · that) give a trajectory of per-element variance about 1.
    spread = 0.5 - np.where(k % 2 == 1, (2 / (np.pi * k)) ** 2, 0.0)
    weights = rng.standard_normal((n_actions, len(k), params.dim)) / np.sqrt(len(k) * spread)[None, :, None]
    basis = np.stack([_orthonormal(rng, params.dim, STRUCTURE.instance_rank).T for _ in range(n_actions)])
    return StructureWorld(weights.astype(np.float32), basis.astype(np.float32))


def structured_part(plan: VideoPlan, world: StructureWorld, amplitude: float, rng: np.random.Generator
                    ) -> np.ndarray:
    """(T, D) the video's structured within-segment variation, one vectorised pass over its frames."""
    labels = tile_segments(plan.segment_actions, plan.lengths)
    segment = np.repeat(np.arange(len(plan.lengths)), plan.lengths)
    num = len(plan.lengths)
    pace = np.exp(STRUCTURE.pace_spread * rng.standard_normal(num))
    size = 1 + STRUCTURE.amplitude_spread * rng.standard_normal(num)
    offsets = STRUCTURE.instance_scale * rng.standard_normal((num, STRUCTURE.instance_rank))
    appearance = STRUCTURE.appearance_scale * rng.standard_normal(world.harmonics.shape[2])
    progress = coherence(plan.lengths) ** pace[segment]
    waves = np.sin(np.pi * np.arange(1, STRUCTURE.harmonics + 1)[None, :] * progress[:, None])  # (T, K)
    trajectory = np.einsum("tk,tkd->td", waves, world.harmonics[labels]) * size[segment, None]
    instance = np.einsum("sr,srd->sd", offsets, world.instance_basis[plan.segment_actions])[segment]
    return (amplitude * (trajectory + instance + appearance)).astype(np.float32)


def smooth_drift(length: int, dim: int, width: float, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary Gaussian process (length, dim) of std `scale`: white noise convolved (FFT) with a
    unit-norm Gaussian kernel of std `width` frames, from a run padded so no frame sees the
    circular wrap. Differentiable, unlike AR(1): its variogram is quadratic near lag 0, so none of
    it passes for white noise."""
    half = int(np.ceil(4 * width)) + 1
    taps = np.exp(-0.5 * (np.arange(-half, half + 1) / max(width, 1e-6)) ** 2)
    taps /= np.sqrt((taps ** 2).sum())
    n_fft = length + 2 * half + len(taps)
    white = rng.standard_normal((length + 2 * half, dim))
    spectrum = np.fft.rfft(white, n=n_fft, axis=0) * np.fft.rfft(taps, n=n_fft)[:, None]
    return (scale * np.fft.irfft(spectrum, n=n_fft, axis=0)[2 * half: 2 * half + length]).astype(np.float32)


def render_features(plan: VideoPlan, world: FeatureWorld, diff: Difficulty, length_scale: float,
                    rng: np.random.Generator, instance_rng: np.random.Generator | None = None) -> np.ndarray:
    """(T, D) float32 features of a planned video (without the structured part)."""
    labels = tile_segments(plan.segment_actions, plan.lengths)
    progress = coherence(plan.lengths)[:, None]
    frames = (1 - progress) * world.start[labels] + progress * world.end[labels]
    own = diff.video_scale * rng.standard_normal(diff.scene_directions) @ world.scene_basis.T
    scene = world.person_offsets[plan.person] + world.camera_offsets[plan.camera] + own
    rho = diff.frame_correlation(length_scale)
    noise = ar1_noise(len(labels), frames.shape[1], rho, diff.noise_scale, rng)
    # Drift and segment offsets draw from their own stream: a preset without them draws as before.
    instance_rng = instance_rng or rng
    if diff.drift_scale > 0:
        noise += smooth_drift(len(labels), frames.shape[1], diff.drift_time * length_scale, diff.drift_scale,
                              instance_rng)
    if diff.segment_scale > 0:
        offsets = diff.segment_scale * instance_rng.standard_normal((len(plan.lengths), frames.shape[1]))
        noise += np.repeat(offsets, plan.lengths, axis=0).astype(np.float32)
    return (frames + scene.astype(np.float32) + noise).astype(np.float32)


def render_videos(plans: list[VideoPlan], params: GeneratorParams
                  ) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(name, (T, D) features, (T,) labels) of each planned video, in order (deterministic in the seed)."""
    diff = params.difficulty()
    world = build_world(params)
    rng = np.random.default_rng([params.seed, 2])
    structure = build_structure(params) if params.structure > 0 else None
    structure_rng = np.random.default_rng([params.seed, 4])
    instance_rng = np.random.default_rng([params.seed, 5])
    for plan in plans:
        features = render_features(plan, world, diff, params.length_scale, rng, instance_rng)
        if structure is not None:
            features = features + structured_part(plan, structure, params.structure, structure_rng)
        yield plan.name, features, tile_segments(plan.segment_actions, plan.lengths)


FEATURE_BYTES = 4  # float32


def check_fits_memory(plans: list[VideoPlan], dim: int) -> None:
    """Refuse, before a byte of features is generated, a dataset whose features would not fit in the
    memory available now (training reads them all): its plans (names and segment lengths) are cheap."""
    frames = sum(int(plan.lengths.sum()) for plan in plans)
    nbytes, available = frames * dim * FEATURE_BYTES, psutil.virtual_memory().available
    if nbytes > available:
        raise DataError(f"procedural dataset: {frames:,} frames x {dim} dims = {nbytes / 2**30:,.1f} GiB of "
                        f"features, more than the {available / 2**30:.1f} GiB of memory available (lower dim, "
                        "videos_per_activity or length_scale)")


def generate(out: str | Path, params: GeneratorParams = GeneratorParams()) -> Path:
    """Write the procedural dataset to `out` (MS-TCN layout + generator.json + activities.txt), atomically."""
    plans = plan_videos(params)
    check_fits_memory(plans, params.dim)
    preset = PRESETS[params.preset]
    bundles = {
        f"{part}.split{SPLIT}": [p.name for p in plans if p.split == part]
        for part in ("train", "test")
    }
    description = {
        "generator_version": GENERATOR_VERSION,
        "preset_fingerprint": preset_fingerprint(params.preset),
        **asdict(params),
        "difficulty": asdict(params.difficulty()),
        "videos": len(plans),
        "frames": int(sum(p.lengths.sum() for p in plans)),
        "train_videos": len(bundles[f"train.split{SPLIT}"]),
        "test_videos": len(bundles[f"test.split{SPLIT}"]),
    }
    return write_dataset(
        Path(out), list(preset.actions), render_videos(plans, params), bundles,
        # activities.txt: the folder names its videos' activities itself, so `itas check` needs no flags
        extra_files={"generator.json": json.dumps(description, indent=1) + "\n",
                     "activities.txt": "".join(f"{plan.name} {plan.activity}\n" for plan in plans)},
    )
