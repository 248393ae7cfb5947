"""The data section of a config → an ActionDataset, from a real folder or the procedural cache."""
from __future__ import annotations

from tasks.cache import procedural_root
from tasks.datasets import ActionDataset, load_dataset


def load_experiment_data(data_cfg: dict, progress: bool = False) -> ActionDataset:
    if data_cfg["root"]:
        root = data_cfg["root"]
    else:
        root = procedural_root(data_cfg["preset"], data_cfg["dim"], data_cfg["videos_per_activity"],
                               data_cfg["length_scale"], data_cfg["seed"])
    return load_dataset(root, data_cfg["dataset"], data_cfg["split"], data_cfg["sample_rate"],
                        tuple(data_cfg["background"]))
