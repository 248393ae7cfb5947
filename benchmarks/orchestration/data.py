"""The data section of a config → an ActionDataset (a real folder or the procedural cache), and the
protocol section → its incremental Scenario for a seed."""
from __future__ import annotations

from tasks.cache import procedural_root
from tasks.errors import DataError
from tasks.datasets import ActionDataset, load_dataset
from tasks.scenario import Scenario, build_scenario


def load_experiment_data(data_cfg: dict) -> ActionDataset:
    if data_cfg["root"]:
        root = data_cfg["root"]
    else:
        root = procedural_root(data_cfg["preset"], data_cfg["dim"], data_cfg["videos_per_activity"],
                               data_cfg["length_scale"], data_cfg["seed"], data_cfg["noise_std"],
                               data_cfg["noise_correlation"], data_cfg["structure"])
    return load_dataset(root, data_cfg["dataset"], data_cfg["split"], data_cfg["sample_rate"],
                        tuple(data_cfg["background"]), data_cfg["activities"], data_cfg["activity_pattern"])


def experiment_scenario(cfg: dict, dataset: ActionDataset, seed: int, source: str = "config") -> Scenario:
    """The config's protocol (label space, number of tasks) applied to `dataset` in seed's task order;
    `source` (the config file) names where a `protocol.tasks` that does not fit the data was set."""
    tasks, activities = cfg["protocol"]["tasks"], len(dataset.activities)
    if activities % tasks:
        raise DataError(f"{source}: 'protocol.tasks' is {tasks}, expected a divisor of the {activities} "
                        f"activities of the dataset {dataset.root}")
    return build_scenario(dataset, cfg["protocol"]["labels"], cfg["protocol"]["tasks"], seed)
