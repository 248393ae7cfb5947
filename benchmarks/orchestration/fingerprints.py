"""Run fingerprints: what of the resolved config shapes a run's results, hashed.

A run record and a checkpoint carry their run's fingerprint and the config parts it hashes, so a
resume into a folder made with another config names the keys that differ instead of mixing
results. Excluded: `train.threads` (set by --jobs; results do not depend on it) and `output`.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from tasks.errors import DataError

RUN_SECTIONS = ("data", "protocol", "backbone", "train")
NOT_SHAPING = {("train", "threads"), ("protocol", "seeds")}


def run_config(cfg: dict, strategy: Any, budget: Any, seed: int) -> dict:
    """The config parts that shape one run: data, protocol (the run's seed in place of the list),
    backbone, training, and its own strategy entry and budget."""
    parts = {section: {key: value for key, value in cfg[section].items() if (section, key) not in NOT_SHAPING}
             for section in RUN_SECTIONS}
    parts["protocol"]["seed"] = seed
    parts["strategy"] = {"name": strategy.name, "params": strategy.params}
    parts["budget"] = None if budget is None else {"videos": budget.videos, "bytes": budget.bytes,
                                                   "count_decoders": budget.count_decoders}
    return json.loads(json.dumps(parts))  # plain JSON types, as a record reads them back


def fingerprint(parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def differing_keys(old: dict, new: dict) -> list[str]:
    """'key: old -> new' for every key whose value differs."""
    before, after = _flatten(old), _flatten(new)
    return [f"{key}: {before.get(key, '(absent)')!r} -> {after.get(key, '(absent)')!r}"
            for key in sorted(set(before) | set(after)) if before.get(key, "(absent)") != after.get(key, "(absent)")]


def mismatch_error(path: Any, old: dict | None, new: dict) -> DataError:
    if old is None:
        return DataError(f"{path}: written without a config fingerprint (by an earlier itas), so it cannot be "
                         "matched to this config; use --force-new to start such runs afresh, or another --out")
    keys = differing_keys(old, new)
    shown = "; ".join(keys[:4]) + (f"; and {len(keys) - 4} more" if len(keys) > 4 else "")
    return DataError(f"{path}: made with a different config ({shown}); use --force-new to start such runs "
                     "afresh, or another --out")
