"""The on-disk cache of procedural datasets: one folder per parameter set, generated on first use."""
from __future__ import annotations

import os
from pathlib import Path

from tasks.datasets import ActionDataset, load_dataset
from tasks.errors import DataError
from tasks.presets import DEFAULT_PRESET
from tasks.procedural import GENERATOR_VERSION, GeneratorParams, generate, preset_fingerprint


def cache_dir() -> Path:
    """`$ITAS_CACHE`, else ~/.cache/itas."""
    return Path(os.environ.get("ITAS_CACHE") or Path.home() / ".cache" / "itas")


def procedural_root(preset: str = DEFAULT_PRESET, dim: int = 64, videos_per_activity: int = 24,
                    length_scale: float = 0.1, seed: int = 0, noise_std: float | None = None,
                    noise_correlation: float | None = None, structure: float = 0.0) -> Path:
    """The cached MS-TCN folder of these generator parameters, generated if absent."""
    params = GeneratorParams(preset, dim, videos_per_activity, length_scale, seed, noise_std, noise_correlation,
                             structure)
    params.validate()
    # Overrides extend the name only when set, so the preset's own folders keep their names.
    extras = "".join(f"-{tag}{value:g}" for tag, value in
                     (("w", noise_std), ("r", noise_correlation), ("a", structure or None)) if value is not None)
    root = cache_dir() / (
        f"{preset}-d{dim}-n{videos_per_activity}-l{length_scale:g}-s{seed}{extras}"
        f"-v{GENERATOR_VERSION}-{preset_fingerprint(preset)}"
    )
    if not (root / "generator.json").is_file():
        try:
            generate(root, params)
        except DataError:
            # Another process finished the same folder first: its copy is identical.
            if not (root / "generator.json").is_file():
                raise
    return root


def load_procedural(preset: str = DEFAULT_PRESET, dim: int = 64, videos_per_activity: int = 24,
                    length_scale: float = 0.1, seed: int = 0) -> ActionDataset:
    """The procedural dataset, read back through the MS-TCN reader with Breakfast conventions."""
    root = procedural_root(preset, dim, videos_per_activity, length_scale, seed)
    return load_dataset(root, "breakfast", split=1)
