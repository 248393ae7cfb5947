"""Checkpoints inside a run: after every task a run's whole state goes to DIR/checkpoints/<run>.ckpt,
so a killed run resumes at its last finished task and ends exactly as if never stopped.

The state is everything later tasks read: model and optimizer (with Avalanche's record of which
parameters it optimises, or its first `train` would reset Adam's moments), every strategy plugin's
own state (replay memories with their decoders and draw counters, LwF's frozen previous model and
seen classes, iCaRL's clips and class means), the metric and memory rows so far, the TCA origins,
Avalanche's clock, and the RNG states of python, numpy, torch (CPU and CUDA) and the strategy's
shuffling generator.

File: a first line naming the format, a JSON line (run fingerprint, last task, SHA-256 of the
payload), then the payload, a torch archive of those objects. The checksum only detects damage:
anyone can recompute it, and a run folder may come from someone else (a shared results folder, a
downloaded run). So the payload is read with `weights_only=True`, which never runs code from the
file: besides tensors, numbers, strings and containers it may only build the classes in
`safe_classes` - the suite's own state records and the layers of its backbones and decoders, none
of which runs anything when built - and a file that names any other is refused with one line.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import pickle
import random
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from replay.budget import Budget
from replay.codes import StoredCodes
from replay.files import unsafe_content
from replay.residual_noise import ResidualNoise
from replay.stored import StoredVideo, TaskMemory
from replay.tca import TCADecoder
from replay.tca_cache import TCAOrigin
from replay.transcripts import Transcripts
from strategies.backbones import BACKBONES, make_backbone
from strategies.icarl import ExemplarClipPlugin
from strategies.icarl_memory import Clip
from strategies.joint import CumulativeDataPlugin
from tasks.atomic_files import write_atomically
from tasks.errors import DataError, first_line

try:
    from numpy._core import multiarray  # numpy >= 2
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core import multiarray

MAGIC = b"itas-checkpoint 1\n"
# Plugin attributes that point at the scenario's data: rebuilt by the resumed run, never stored.
DATA_REFERENCES = ("train_videos", "tca_cache")  # the data, and the run folder's TCA cache (a path)


def checkpoint_path(out_dir: Path, key: str) -> Path:
    return Path(out_dir) / "checkpoints" / f"{key}.ckpt"


def _is_memory(value: Any) -> bool:
    return hasattr(value, "add_task") and hasattr(value, "nbytes_by_task")


def _plugin_state(plugin) -> dict:
    if isinstance(plugin, CumulativeDataPlugin):
        return {}  # the union of seen tasks' data: rebuilt from the benchmark on restore
    state = {}
    for name, value in vars(plugin).items():
        if name in DATA_REFERENCES:
            continue
        # A memory is shared with the run (StrategyParts.memory): restored in place, never replaced.
        state[name] = ("memory", dict(vars(value))) if _is_memory(value) else ("value", value)
    return state


def _restore_plugin(plugin, state: dict, strategy, bench, last_task: int) -> None:
    if isinstance(plugin, CumulativeDataPlugin):
        plugin.seen = None
        for task in range(last_task + 1):
            data = bench.train_stream[task].dataset
            plugin.seen = data if plugin.seen is None else plugin.seen.concat(data)
        return
    for name, (kind, value) in state.items():
        if kind == "memory":
            vars(getattr(plugin, name)).update(value)
        else:
            setattr(plugin, name, value)
    if isinstance(plugin, ExemplarClipPlugin) and plugin.class_means is not None:
        strategy.frame_predictors["nme"] = plugin.predict


def _rng_state(strategy) -> dict:
    return {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if strategy.device.type == "cuda" else [],
        "shuffle": strategy._loader_generator.get_state(),
    }


def _restore_rng(strategy, state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if state["cuda"]:
        torch.cuda.set_rng_state_all(state["cuda"])
    strategy._loader_generator.set_state(state["shuffle"])


def capture(strategy, plugins: list, metric, tables: dict, task: int) -> dict:
    """The run's state after finishing `task` (evaluated, rows appended)."""
    return {
        "task": task,
        "model": strategy.model.state_dict(),
        "optimizer": strategy.optimizer.state_dict(),
        "clock": dict(vars(strategy.clock)),
        "plugins": [_plugin_state(plugin) for plugin in plugins],
        "metric": {"scores": metric.scores, "train_task": metric.train_task},
        "tables": tables,
        "rng": _rng_state(strategy),
    }


def restore(state: dict, strategy, plugins: list, metric, bench, source: Path) -> dict:
    """Put `state` (read from `source`) back into a freshly built run; returns its tables (rows so far)."""
    try:
        strategy.model.load_state_dict(state["model"])
    except RuntimeError as err:  # e.g. written by an itas version whose model had another layout
        raise DataError(f"{source}: its model does not fit this version's {type(strategy.model).__name__} "
                        f"({str(err).splitlines()[-1].strip()}); delete it or use --force-new") from None
    strategy.optimizer.load_state_dict(state["optimizer"])
    # Avalanche resets the optimizer state on its first `train` unless it already knows the parameters.
    strategy.optimized_param_id = dict(strategy.model.named_parameters())
    vars(strategy.clock).update(state["clock"])
    for plugin, plugin_state in zip(plugins, state["plugins"]):
        _restore_plugin(plugin, plugin_state, strategy, bench, state["task"])
    metric.scores, metric.train_task = state["metric"]["scores"], state["metric"]["train_task"]
    _restore_rng(strategy, state["rng"])
    return state["tables"]


def save_checkpoint(path: Path, state: dict, fingerprint: str, config: dict | None = None) -> Path:
    """Write `state` atomically; the header keeps the run's fingerprint and config parts readable
    without unpickling (for naming the keys that differ on a resume with another config)."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    payload = buffer.getvalue()
    header = {"fingerprint": fingerprint, "config": config, "task": state["task"],
              "sha256": hashlib.sha256(payload).hexdigest()}
    data = MAGIC + json.dumps(header).encode() + b"\n" + payload
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


def read_header(path: Path) -> tuple[dict, bytes]:
    """(header, payload) of a checkpoint; DataError naming the file if it is not one or is damaged."""
    data = Path(path).read_bytes()
    if not data.startswith(MAGIC):
        raise DataError(f"{path}: not an itas checkpoint (delete it to restart this run from its first task)")
    line, _, payload = data[len(MAGIC):].partition(b"\n")
    try:
        header = json.loads(line)
    except ValueError:
        raise DataError(f"{path}: damaged checkpoint header (delete it to restart this run)") from None
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise DataError(f"{path}: checksum mismatch, the checkpoint is damaged (delete it to restart this run)")
    return header, payload


def load_checkpoint(path: Path, fingerprint: str, device: torch.device,
                    backbone: Mapping | None = None) -> dict | None:
    """The state in `path` (None if absent), checked against the run's config fingerprint; a plugin
    `backbone` (the run's config section) adds its layer classes to what the file may build."""
    if not Path(path).is_file():
        return None
    header, payload = read_header(path)
    if header.get("fingerprint") != fingerprint:
        raise DataError(f"{path}: checkpoint of a different config (use --force-new to start afresh)")
    def place(storage, location: str):
        # Device tensors follow the run's device; CPU ones (RNG states) stay on the CPU.
        return storage.to(device) if location.startswith("cuda") else storage

    try:
        with torch.serialization.safe_globals(safe_classes() + plugin_layers(backbone)):
            return torch.load(io.BytesIO(payload), map_location=place, weights_only=True)
    except pickle.UnpicklingError as err:
        what = unsafe_content(err) or f"it is not a plain archive ({first_line(err, 80)})"
        raise DataError(f"{path}: refused, {what}; a checkpoint holds only arrays and the suite's own "
                        "records (delete it to restart this run)") from None


@functools.cache
def safe_classes() -> list:
    """Everything a checkpoint may construct besides tensors and containers: the suite's state
    records (dataclasses of arrays and numbers), NumPy arrays (RNG states), and the layer classes of
    the backbones and the TCA decoder (LwF, BiC and iCaRL keep a frozen model, latent memories their
    decoders), found by building one tiny instance of each registered backbone and of the decoder."""
    records = [Budget, StoredVideo, TaskMemory, StoredCodes, ResidualNoise, TCAOrigin, Transcripts, Clip]
    tiny = {"stages": 2, "layers": 1, "maps": 2, "dropout": 0.0, "channel_dropout": 0.0}
    models = [*(factory(2, 2, tiny) for factory in BACKBONES.values()), TCADecoder(2, 2, latent=2, hidden=2)]
    layers = {type(module) for model in models for module in model.modules()}
    dtypes = sorted({type(np.dtype(code)) for code in "?bhilqBHILQefdgFDG"}, key=lambda cls: cls.__name__)
    arrays = [np.ndarray, np.dtype, multiarray._reconstruct, multiarray.scalar, *dtypes]
    return records + sorted(layers, key=lambda cls: cls.__qualname__) + arrays


def plugin_layers(backbone: Mapping | None) -> list:
    """The layer classes of a plugin backbone (none for a built-in one: `safe_classes` has them),
    found by building the run's own model, as its frozen copies in a checkpoint were built."""
    if backbone is None or backbone["name"] in BACKBONES:
        return []
    layers = {type(module) for module in make_backbone(backbone, 2, 2).modules()}
    return sorted(layers, key=lambda cls: cls.__qualname__)


@dataclass(frozen=True)
class RunCheckpoint:
    """Where one run keeps its checkpoint, with the config fingerprint and parts it was made with."""

    path: Path
    fingerprint: str
    config: dict

    def save(self, state: dict) -> Path:
        return save_checkpoint(self.path, state, self.fingerprint, self.config)

    def load(self, device: torch.device) -> dict | None:
        return load_checkpoint(self.path, self.fingerprint, device, self.config.get("backbone"))
