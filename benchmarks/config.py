"""Experiment configs: YAML over documented defaults, validated key by key, expanded into runs.

Every key a config may hold appears in DEFAULTS (or is a strategy entry / budget entry); anything
else is an error that names the key and lists the allowed ones.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import yaml

from replay.budget import Budget
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError
from tasks.mstcn import read_text
from tasks.precision import PRECISIONS
from tasks.procedural import GeneratorParams
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
}
CHOICES = {
    ("data", "dataset"): ("breakfast", "50salads", "gtea", "custom"),
    ("data", "preset"): tuple(PRESETS),
    ("protocol", "labels"): ("disjoint", "blurry"),
    ("backbone", "name"): ("mstcn", "asformer"),
    ("output", "save_predictions"): ("last", "all", "none"),
    ("train", "precision"): PRECISIONS,
}
# Keys whose other values name code outside itas (tasks.plugins), looked up instead of refused.
PLUGGABLE = {("backbone", "name")}
STRATEGY_KEYS = ("name", "label", "params")


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
    try:
        raw = yaml.safe_load(read_text(path))
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        raise DataError(f"{path}: not valid YAML{where}") from None
    if raw is None:
        # Silently running the paper-scale defaults for hours is never what an empty file meant.
        raise DataError(f"{path}: empty config, expected sections such as data, protocol, strategies "
                        "(run without CONFIG for the bundled quick config)")
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping of sections at the top level")
    return resolve_config(merge_overrides(raw, overrides), source=str(path))


def merge_overrides(raw: dict, overrides: Sequence[str]) -> dict:
    """`raw` with dotted `KEY=VALUE` overrides (values parsed as YAML, e.g. `protocol.seeds=[1,2]`)
    merged over it: mappings merge key by key, anything else is replaced. The overrides alone are
    validated first, so a bad key is reported against `--set`, not against the config file."""
    if not overrides:
        return raw
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    for item in overrides:
        if "=" not in item or not item.split("=", 1)[0].strip():
            raise DataError(f"--set: expected KEY=VALUE with a dotted key (e.g. train.epochs=5), got {item!r}")
    try:
        parsed = OmegaConf.to_container(OmegaConf.from_dotlist(list(overrides)))
        resolve_config(parsed, source="--set")
        return OmegaConf.to_container(OmegaConf.merge(raw, parsed))
    except (OmegaConfBaseException, yaml.YAMLError) as err:
        raise DataError(f"--set: cannot apply {' '.join(overrides)} ({str(err).splitlines()[0]})") from None


def resolve_config(raw: dict, source: str = "config") -> dict:
    cfg = copy.deepcopy(DEFAULTS)
    for section, value in raw.items():
        if section not in DEFAULTS:
            raise DataError(f"{source}: unknown key '{section}' (allowed: {', '.join(DEFAULTS)})")
        if isinstance(DEFAULTS[section], dict):
            if not isinstance(value, dict):
                raise DataError(f"{source}: '{section}' must be a mapping")
            for key, v in value.items():
                if key not in DEFAULTS[section]:
                    allowed = ", ".join(DEFAULTS[section])
                    raise DataError(f"{source}: unknown key '{section}.{key}' (allowed: {allowed})")
                choices = CHOICES.get((section, key))
                if choices and v not in choices and (section, key) in PLUGGABLE and isinstance(v, str):
                    _check_outside_backbone(v, source)
                elif choices and v not in choices:
                    raise DataError(f"{source}: '{section}.{key}' is {v!r}; expected one of {', '.join(choices)}")
                cfg[section][key] = v
        else:
            if not isinstance(value, list) or not value:
                raise DataError(f"{source}: '{section}' must be a non-empty list")
            cfg[section] = value
    strategy_entries(cfg, source)
    for i, spec in enumerate(cfg["budgets"]):
        try:
            Budget.parse(spec)
        except DataError as err:
            raise DataError(f"{source}: 'budgets[{i}]': {err}") from None
    _check_types(cfg, source)
    return cfg


def _check_outside_backbone(name: str, source: str) -> None:
    # Imported here: torch and Avalanche load only for a config that names an outside backbone.
    from strategies.backbones import backbone_factory

    try:
        backbone_factory(name)
    except DataError as err:
        raise DataError(f"{source}: 'backbone.name': {err}") from None


def _check_types(cfg: dict, source: str) -> None:
    positive_ints = [("protocol", "tasks"), ("backbone", "stages"), ("backbone", "layers"),
                     ("backbone", "maps"), ("train", "epochs"), ("train", "batch_size"),
                     ("train", "eval_batch_size"), ("data", "dim"), ("data", "videos_per_activity"),
                     ("data", "split")]
    for section, key in positive_ints:
        v = cfg[section][key]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise DataError(f"{source}: '{section}.{key}' must be a positive integer, got {v!r}")
    for section, key in [("train", "lr"), ("data", "length_scale")]:
        v = cfg[section][key]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
            raise DataError(f"{source}: '{section}.{key}' must be a positive number, got {v!r}")
    for key in ("dropout", "channel_dropout"):
        v = cfg["backbone"][key]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v < 1:
            raise DataError(f"{source}: 'backbone.{key}' must be a number in [0, 1), got {v!r}")
    rate = cfg["data"]["sample_rate"]
    if rate is not None and (not isinstance(rate, int) or isinstance(rate, bool) or rate < 1):
        raise DataError(f"{source}: 'data.sample_rate' must be a positive integer or null, got {rate!r}")
    if not isinstance(cfg["data"]["seed"], int) or isinstance(cfg["data"]["seed"], bool):
        raise DataError(f"{source}: 'data.seed' must be an integer, got {cfg['data']['seed']!r}")
    threads = cfg["train"]["threads"]
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
        raise DataError(f"{source}: 'train.threads' must be a positive integer or null, got {threads!r}")
    seeds = cfg["protocol"]["seeds"]
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) for s in seeds):
        raise DataError(f"{source}: 'protocol.seeds' must be a non-empty list of integers, got {seeds!r}")
    for key in ("save_memories", "keep_checkpoints"):
        if not isinstance(cfg["output"][key], bool):
            raise DataError(f"{source}: 'output.{key}' must be true or false")
    data = cfg["data"]
    custom_keys = [key for key in ("activities", "activity_pattern") if data[key] is not None]
    if data["dataset"] == "custom" and len(custom_keys) != 1:
        raise DataError(f"{source}: 'data.dataset: custom' needs exactly one of 'data.activities' (a file of "
                        "'<video> <activity>' lines) or 'data.activity_pattern' (a regex with one group)")
    if data["dataset"] != "custom" and custom_keys:
        raise DataError(f"{source}: 'data.{custom_keys[0]}' applies only with 'data.dataset: custom'")
    loggers = cfg["output"]["loggers"]
    if not isinstance(loggers, list) or any(name not in LOGGERS for name in loggers):
        raise DataError(f"{source}: 'output.loggers' must be a list of {', '.join(LOGGERS)}; got {loggers!r}")
    if not isinstance(cfg["data"]["background"], list):
        raise DataError(f"{source}: 'data.background' must be a list of label names")
    generator = {key: cfg["data"][key] for key in ("noise_std", "noise_correlation", "structure")}
    try:
        GeneratorParams(**generator).validate()
    except DataError as err:
        raise DataError(f"{source}: data.{err}") from None


def strategy_entries(cfg: dict, source: str = "config") -> list[StrategyEntry]:
    entries = []
    for i, item in enumerate(cfg["strategies"]):
        if isinstance(item, str):
            entries.append(StrategyEntry(item, item, {}))
            continue
        if not isinstance(item, dict) or "name" not in item:
            raise DataError(f"{source}: 'strategies[{i}]' must be a name or a mapping with 'name'")
        for key in item:
            if key not in STRATEGY_KEYS:
                raise DataError(f"{source}: unknown key 'strategies[{i}].{key}' (allowed: {', '.join(STRATEGY_KEYS)})")
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise DataError(f"{source}: 'strategies[{i}].params' must be a mapping")
        entries.append(StrategyEntry(item["name"], item.get("label", item["name"]), params))
    labels = [e.label for e in entries]
    duplicate = next((x for x in labels if labels.count(x) > 1), None)
    if duplicate:
        raise DataError(f"{source}: strategy label '{duplicate}' appears twice; give one a distinct 'label'")
    return entries


def dump_config(cfg: dict, path: Path) -> None:
    write_text_atomically(path, yaml.safe_dump(cfg, sort_keys=False))
