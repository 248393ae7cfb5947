"""The procedural presets: feature-space constants and what they were calibrated to.

Both presets share Breakfast's label side (tasks/activities.py: actions, grammars, lengths) and
differ in how a frame varies around its action's prototype path.

`breakfast-like` (the default) is calibrated to the within-class statistics real features measure
at the quick protocol's frame rate (docs/data/procedural.md gives the numbers and the reasoning):
most within-class variation sits between videos and between segments (person, camera, instance),
within a segment it is mostly smooth (lag-1 autocorrelation ~0.8 with ~11 frames per segment) and
only ~10% of it is white; it carries almost no class-shared trajectory. So a frame is its
prototype path + a large per-video scene offset + a per-segment offset + a smooth drift (a
Gaussian process, correlation time `drift_time` real-rate frames) + a small white-at-quick-rate
noise. The overall scale is set so that `joint` on the quick config stays in real Breakfast's
60-75% final Acc.

`noise-dominated` is the generator's earlier default: within a segment nearly all variation is
white noise at the quick rate (profile: white share 98%, lag-1 autocorrelation 0.02). Its output
is unchanged (same seed, same bytes), so its measured tables stay reproducible.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tasks.activities import BREAKFAST_ACTIONS, BREAKFAST_GRAMMARS, BREAKFAST_LENGTHS, Grammar, LengthStats


@dataclass(frozen=True)
class Difficulty:
    """Feature-space constants. The defaults are the `noise-dominated` preset, calibrated so that
    an MS-TCN trained jointly on all activities (disjoint labels) reaches roughly real Breakfast
    accuracy (60-75%): `joint` on the quick config (10 tasks, 2 stages x 8 layers x 32 maps, 10
    epochs per task) ends at 84.0 / 80.9 / 73.4 / 70.9 / 61.4% final average Acc with noise_scale
    1.8 / 2.4 / 3.0 / 3.4 / 3.8; 3.5 aims at the band's middle and gives 68.5%."""

    signal_rank: int = 32        # dimension of the subspace the action prototypes span
    prototype_scale: float = 1.0  # std of a prototype centre per signal direction
    progress_scale: float = 0.6   # half the start→end distance per signal direction
    scene_directions: int = 4     # camera, person, kitchen, ...: fewer than any latent size
    person_scale: float = 1.5
    camera_scale: float = 1.0
    video_scale: float = 0.5
    noise_scale: float = 3.5      # stationary std of the noise per feature dimension
    noise_correlation: float = 0.8  # AR(1) coefficient between consecutive real-rate frames
    action_length_spread: float = 0.45  # std of log per-action median length around the real median
    drift_scale: float = 0.0      # std per dimension of a smooth drift (0: none)
    drift_time: float = 0.0       # its Gaussian kernel's std, in real-rate frames
    segment_scale: float = 0.0    # std per dimension of a per-segment offset (0: none)

    def frame_correlation(self, length_scale: float) -> float:
        """AR(1) coefficient between consecutive generated frames at `length_scale`."""
        return self.noise_correlation ** (1.0 / length_scale)


@dataclass(frozen=True)
class Structure:
    """Shape of the structured part (`structure` = its amplitude s); per-element within-segment
    variance of the trajectory is about s² (harmonics scaled so)."""

    harmonics: int = 3            # sin(πkc), k = 1..3: smooth, nonlinear, zero at c = 0 and 1
    pace_spread: float = 0.4      # std of log p, progress warped as c^p per instance
    amplitude_spread: float = 0.3  # std of an instance's trajectory amplitude around 1
    instance_rank: int = 3        # per-action subspace of per-instance offsets
    instance_scale: float = 0.5   # their std per direction, in units of s
    appearance_scale: float = 0.5  # per-video full-rank offset std per dimension, in units of s


STRUCTURE = Structure()

# Relative sizes from the profile of real features at the quick rate (docs/data/procedural.md);
# SCALE multiplies every within-class term so that `joint` lands in 60-75% on the quick config.
SCALE = 0.6
REAL_LIKE = Difficulty(
    person_scale=4.0 * 1.5 * SCALE, camera_scale=4.0 * 1.0 * SCALE, video_scale=4.0 * 0.5 * SCALE,
    noise_scale=0.55 * SCALE, drift_scale=2.0 * SCALE, drift_time=40.0, segment_scale=1.4 * SCALE,
)


@dataclass(frozen=True)
class Preset:
    actions: tuple[str, ...]
    grammars: dict[str, Grammar]
    lengths: LengthStats
    difficulty: Difficulty = field(default_factory=Difficulty)


PRESETS: dict[str, Preset] = {
    "breakfast-like": Preset(BREAKFAST_ACTIONS, BREAKFAST_GRAMMARS, BREAKFAST_LENGTHS, REAL_LIKE),
    "noise-dominated": Preset(BREAKFAST_ACTIONS, BREAKFAST_GRAMMARS, BREAKFAST_LENGTHS),
}
DEFAULT_PRESET = "breakfast-like"


def preset_fingerprint(preset: str) -> str:
    """8 hex digits that change with any constant of the preset (grammars, lengths, difficulty),
    so a cached dataset is never reused after the generator's constants change."""
    return hashlib.sha256(repr(PRESETS[preset]).encode()).hexdigest()[:8]
