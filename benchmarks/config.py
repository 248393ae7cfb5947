"""Experiment configs: YAML over documented defaults, checked against one schema, expanded into runs.

Every key a config may hold appears in DEFAULTS (or is a strategy entry / budget entry), with what it
accepts in benchmarks/config_schema.py; anything else is an error that names the key and lists the
allowed ones. The file is read by benchmarks/config_yaml.py (YAML 1.2 numbers, bounded).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import yaml

from pydantic import ValidationError

from benchmarks.config_schema import config_model, schema_message, section_types
from benchmarks.config_yaml import MAX_BYTES, dump_yaml, parse_yaml, yaml_problem
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError
from tasks.mstcn import read_text
from tasks.precision import PRECISIONS
from tasks.presets import PRESETS

LOGGERS = ("tensorboard", "wandb", "csv")  # output.loggers: what benchmarks.orchestration.loggers can make

DEFAULTS: dict[str, Any] = {
    "data": {
        "preset": "breakfast-like",  # embedded procedural dataset (or noise-dominated); ignored when `root` is set
        "root": None,                # a folder in the MS-TCN layout
        "dataset": "breakfast",      # breakfast | 50salads | gtea | custom: activity parsing and defaults
        "activities": None,          # custom: a file of '<video> <activity>' lines
        "activity_pattern": None,    # custom: or a regex whose one group is the activity
        "dim": 64,                   # procedural feature size (real I3D: 2048)
        "videos_per_activity": 24,   # procedural videos generated per activity
        "length_scale": 0.1,         # procedural segment lengths relative to real Breakfast
        "seed": 0,                   # generator seed of the procedural dataset
        "noise_std": None,           # procedural AR(1) noise std per dimension, white at low rates (null: the preset's)
        "noise_correlation": None,   # its AR(1) coefficient per real-rate frame (null: the preset's, 0.8)
        "structure": 0.0,            # amplitude of the structured within-segment variation (0: none)
        "split": 1,                  # which train/test split<k>.bundle pair to read
        "sample_rate": None,         # None: the dataset's default (50salads: 2)
        "background": [],            # label names excluded from Edit/F1 (MS-TCN: none)
    },
    # tasks: incremental tasks (10: one activity each; 5: consecutive pairs); labels: disjoint (one class
    # per activity and action, Breakfast 84) | blurry (the shared action labels, 48); seeds: one run per
    # seed, whose task order is random.Random(seed).shuffle(sorted(activities))
    "protocol": {"tasks": 10, "labels": "disjoint", "seeds": [42]},
    # name: mstcn | asformer, or a plugin (an itas.backbones entry point or package.module:factory);
    # stages: MS-TCN stages, or ASFormer's encoder + decoders; layers: dilated layers (MS-TCN) or
    # blocks (ASFormer) per stage; maps: channels; dropout: feature dropout in every layer;
    # channel_dropout: ASFormer only, on the input features
    "backbone": {"name": "mstcn", "stages": 4, "layers": 10, "maps": 64, "dropout": 0.5, "channel_dropout": 0.3},
    # epochs: per task; lr: Adam learning rate; batch_size: videos per training mini-batch;
    # eval_batch_size: videos per evaluation mini-batch
    # threads: CPU threads for torch (null: torch's default, one per core). Small models train faster
    # on one thread: two OpenMP threads spend more time synchronising than computing.
    # precision: fp32 | tf32 | bf16 on CUDA (tasks/precision.py); the CPU runs fp32
    "train": {"epochs": 50, "lr": 5e-4, "batch_size": 8, "eval_batch_size": 8, "threads": None,
              "precision": "fp32"},
    "strategies": ["finetune", "joint"],  # names, or {name, label, params} entries (docs: strategies)
    "budgets": [{"videos": 60}],  # {videos: N} or {bytes: "4MB"}, optionally count_decoders: false
    # save_memories: after its last task each replay run writes memories/<run>.pt (`itas replay` decodes it)
    # loggers: Avalanche loggers per run under loggers/<run>/ (tensorboard, wandb, csv)
    # save_predictions: last | all | none: test predictions under predictions/<run>/after_task<i>/
    # keep_checkpoints: keep checkpoints/<run>.ckpt (state after the last task) once a run is recorded
    "output": {"save_memories": False, "loggers": [], "save_predictions": "last", "keep_checkpoints": False},
    # What every job of `itas run --executor slurm` asks SLURM for (docs: running/cluster.md), null
    # meaning the cluster's default. Not part of a run's fingerprint: a sweep may resume with other settings.
    # extra: any other sbatch option as {option: value}, e.g. {exclusive: true, mail-type: END}
    "cluster": {
        "partition": None,          # sbatch --partition
        "cpus_per_task": None,      # CPUs per job (null: train.threads, or 1); the job's torch threads follow it
        "mem_gb": None,             # memory per job in GB (sbatch --mem)
        "gpus": 0,                  # GPUs per job (0: no GPU request at all)
        "account": None,            # sbatch --account
        "qos": None,                # sbatch --qos
        "constraint": None,         # sbatch --constraint (node features)
        "array_parallelism": None,  # jobs of the sweep's array running at once (null: all)
        "signal_delay_s": 90,       # seconds before the time limit at which the job checkpoints and requeues itself
        "extra": {},
    },
}
CHOICES = {
    ("data", "dataset"): ("breakfast", "50salads", "gtea", "custom"),
    ("data", "preset"): tuple(PRESETS),
    ("protocol", "labels"): ("disjoint", "blurry"),
    ("backbone", "name"): ("mstcn", "asformer"),
    ("output", "save_predictions"): ("last", "all", "none"),
    ("train", "precision"): PRECISIONS,
}
SCHEMA = config_model(DEFAULTS, section_types(CHOICES, LOGGERS))


@dataclass(frozen=True)
class StrategyEntry:
    name: str
    label: str
    params: dict


def bundled_config(name: str = "quick") -> Path:
    return Path(str(resources.files("benchmarks") / "configs" / f"{name}.yaml"))


def load_config(path: str | Path | None, overrides: Sequence[str] = ()) -> dict:
    """The YAML file at `path` (default: the bundled quick config) with `--set KEY=VALUE` overrides
    merged over it, resolved over DEFAULTS."""
    path = Path(path) if path is not None else bundled_config()
    if not path.is_file():
        raise DataError(f"{path}: config file not found")
    if path.stat().st_size > MAX_BYTES:
        raise DataError(f"{path}: {path.stat().st_size:,} bytes, expected a config file of at most {MAX_BYTES:,}")
    try:
        raw = parse_yaml(read_text(path))
    except yaml.YAMLError as err:
        raise DataError(f"{path}: {yaml_problem(err)}") from None
    if raw is None:
        # Silently running the paper-scale defaults for hours is never what an empty file meant.
        raise DataError(f"{path}: empty config, expected sections such as data, protocol, strategies "
                        "(run without CONFIG for the bundled quick config)")
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping of sections at the top level")
    return resolve_config(merge_overrides(raw, overrides), source=str(path))


def merge_overrides(raw: dict, overrides: Sequence[str]) -> dict:
    """`raw` with dotted `KEY=VALUE` overrides (values read as config YAML, e.g. `protocol.seeds=[1,2]`)
    merged over it: mappings merge key by key, anything else is replaced. The overrides alone are
    validated first, so a bad key is reported against `--set`, not against the config file."""
    if not overrides:
        return raw
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    parsed = OmegaConf.create()
    for item in overrides:
        key, _, text = item.partition("=")
        if not _ or not key.strip():
            raise DataError(f"--set: expected KEY=VALUE with a dotted key (e.g. train.epochs=5), got {item!r}")
        try:
            OmegaConf.update(parsed, key.strip(), parse_yaml(text), merge=True)
        except yaml.YAMLError as err:
            raise DataError(f"--set {key.strip()}: {yaml_problem(err)}") from None
        except OmegaConfBaseException as err:
            raise DataError(f"--set: cannot apply {item} ({str(err).splitlines()[0]})") from None
    parsed = OmegaConf.to_container(parsed)
    resolve_config(parsed, source="--set")
    try:
        return OmegaConf.to_container(OmegaConf.merge(raw, parsed))
    except OmegaConfBaseException as err:
        raise DataError(f"--set: cannot apply {' '.join(overrides)} ({str(err).splitlines()[0]})") from None


def resolve_config(raw: dict, source: str = "config") -> dict:
    """`raw` over DEFAULTS (a section's keys merge into its defaults), checked against the schema as
    a whole; returns plain values, exactly as given (nothing converted)."""
    cfg = copy.deepcopy(DEFAULTS)
    for section, value in raw.items():
        if isinstance(cfg.get(section), dict) and isinstance(value, dict):
            cfg[section].update(value)
        else:
            cfg[section] = value
    try:
        SCHEMA.model_validate(cfg)
    except ValidationError as err:
        raise DataError(f"{source}: {schema_message(err, DEFAULTS)}") from None
    return cfg


def strategy_entries(cfg: dict) -> list[StrategyEntry]:
    """The strategies of a resolved config: a name is its own label and has no params."""
    return [StrategyEntry(item, item, {}) if isinstance(item, str)
            else StrategyEntry(item["name"], item.get("label", item["name"]), item.get("params") or {})
            for item in cfg["strategies"]]


def dump_config(cfg: dict, path: Path) -> None:
    write_text_atomically(path, dump_yaml(cfg))
