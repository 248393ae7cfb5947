"""replay_<strategy>_task<k>.png: real frames of a task against what the saved memory replays for it
(results.replay_plot), drawn from a run folder's memories/<run>.pt, config.yaml and the data."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from benchmarks.config import load_config
from benchmarks.orchestration.data import experiment_scenario, load_experiment_data
from replay.files import load_memory
from replay.stored import replay_name
from results.plots import file_stem, save_figure
from results.replay_plot import plot_replay_embedding
from tasks.video import Video

KEY = re.compile(r"^(?P<label>.+)__(?P<budget>.+)__seed(?P<seed>\d+)$")
TASK = 0  # the first task: replayed the longest, where replay and real drift apart most


def frames(videos: list[Video]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([v.features for v in videos]), np.concatenate([v.labels for v in videos])


def chosen_memories(run_dir: Path) -> dict[str, Path]:
    """Per strategy label, its memory file of the first seed and budget (file-name order)."""
    chosen: dict[str, tuple] = {}
    for path in sorted((run_dir / "memories").glob("*.pt")):
        match = KEY.match(path.stem)
        if match is None:
            continue
        rank = (int(match["seed"]), match["budget"])
        if match["label"] not in chosen or rank < chosen[match["label"]][0]:
            chosen[match["label"]] = (rank, path)
    return {label: path for label, (_, path) in chosen.items()}


def write_replay_pictures(run_dir: Path, out_dir: Path, device: torch.device) -> list[Path]:
    """One picture per strategy with a saved memory; none when the run saved no memories."""
    run_dir = Path(run_dir)
    memories = chosen_memories(run_dir)
    if not memories:
        return []
    cfg = load_config(run_dir / "config.yaml")
    dataset = load_experiment_data(cfg["data"])
    paths = []
    for label, path in sorted(memories.items()):
        seed = int(KEY.match(path.stem)["seed"])
        real = experiment_scenario(cfg, dataset, seed).tasks[TASK].train
        loaded = load_memory(path)
        replayed = [v for v in loaded.memory.replay(device) if v.name.startswith(replay_name(TASK, ""))]
        if not replayed:
            continue
        title = f"{label} ({path.stem.split('__')[1]}, seed {seed}): task {TASK}, real vs replayed frames (PCA)"
        fig = plot_replay_embedding(frames(real), frames(replayed), loaded.classes, title)
        paths.append(save_figure(fig, Path(out_dir) / f"replay_{file_stem(label)}_task{TASK}.png"))
    return paths
