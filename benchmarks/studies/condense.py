"""P's whole-dataset condensation experiment (Ding, Chen, Yao, CVPR 2025, Table 1).

The training split is turned into each memory's stored form (Mean, Coreset, TCA, Encoded, Condensed,
or the Original features), the backbone is trained from scratch on each (decoded) version, and every
version is scored on the real test split, next to its stored bytes and its compression ratio against
the original training features.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from benchmarks.config import strategy_entries
from benchmarks.orchestration.training import build_backbone, start_training
from replay.budget import Budget
from replay.memory import MemoryContext
from replay.registry import MEMORIES, make_memory
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.progress import EpochProgress
from strategies.template import make_template
from tasks.errors import DataError
from tasks.scenario import Scenario, Task
from tasks.video import Video

COLUMNS = ["method", "acc", "edit", "f1@10", "f1@25", "f1@50", "bytes", "bytes_with_decoders",
           "compression", "compression_with_decoders", "acc_retained", "seconds"]


def fit_and_score(train: list[Video], test: list[Video], cfg: dict, num_classes: int,
                  background: list[int], device: torch.device, seed: int, label: str,
                  progress: bool) -> dict[str, float]:
    """Train a fresh backbone on `train` for cfg.train.epochs and score it on `test`."""
    start_training(cfg["train"], seed, device)
    model = build_backbone(cfg, train[0].dim, num_classes)
    metric = SegmentationMetrics(background)
    plugins = [EpochProgress(label, 1)] if progress else []
    strategy = make_template(model, cfg["train"], device, plugins, metric)
    bench = make_benchmark([Task(0, [], [], train, test)])
    strategy.train(bench.train_stream[0])
    metric.train_task = 0
    strategy.eval(bench.test_stream)
    return metric.scores[(0, 0, "")]


def feature_bytes(videos: list[Video]) -> int:
    """Bytes of the original features: what every compression ratio is measured against."""
    return int(sum(v.features.nbytes for v in videos))


def condense_experiment(cfg: dict, scenario: Scenario, background: list[int], device: torch.device,
                        progress: bool = True) -> pd.DataFrame:
    if len(scenario.tasks) != 1:
        raise DataError("condense: 'protocol.tasks' must be 1 (the whole training split is condensed at once)")
    train, test = scenario.tasks[0].train, scenario.tasks[0].test
    seed = scenario.seed
    original_bytes = feature_bytes(train)
    entries = strategy_entries(cfg)
    # Build every memory once (names and params checked) before the first trains, so a config error
    # never surfaces after minutes of work; each is rebuilt in turn so only one holds data at a time.
    for entry in entries:
        if entry.name not in MEMORIES:
            raise DataError(f"condense: strategy '{entry.name}' is not a memory (expected one of {', '.join(MEMORIES)})")
        make_memory(entry.name, Budget(videos=len(train)), seed=seed, **entry.params)
    rows = []
    # Memories with equal TCA parameters share one trained TCA (replay.tca_cache); the folder goes
    # at the end (or, on an error, when the object is collected).
    shared = tempfile.TemporaryDirectory(prefix="itas-tca-")
    for entry in entries:
        start = time.perf_counter()
        memory = make_memory(entry.name, Budget(videos=len(train)), seed=seed, **entry.params)
        memory.add_task(0, list(train), MemoryContext(device, scenario.num_classes, seed, progress,
                                                     Path(shared.name), cfg["train"]["precision"]))
        stored = memory.nbytes()
        with_decoders = int(sum(stored.values()))
        without = with_decoders - int(stored.get("decoders", 0))
        version = memory.replay(device)
        scores = fit_and_score(version, test, cfg, scenario.num_classes, background, device, seed,
                               entry.label, progress)
        rows.append({
            "method": entry.label, **scores, "bytes": without, "bytes_with_decoders": with_decoders,
            "compression": original_bytes / without if without else np.inf,
            "compression_with_decoders": original_bytes / with_decoders,
            "seconds": round(time.perf_counter() - start, 1),
        })
    shared.cleanup()
    table = pd.DataFrame(rows)
    reference = table.loc[table["method"] == "original", "acc"]
    table["acc_retained"] = 100 * table["acc"] / reference.iloc[0] if len(reference) else np.nan
    return table[COLUMNS]


def condense_markdown(table: pd.DataFrame, original_bytes: int) -> str:
    lines = [
        "| method | Acc | Edit | F1@10 | F1@25 | F1@50 | bytes | bytes + decoders | compression | "
        "compression + decoders | Acc retained % |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {r.method} | {r.acc:.1f} | {r.edit:.1f} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.1f} | "
            f"{r.bytes:,} | {r.bytes_with_decoders:,} | {r.compression:.1f}× | "
            f"{r.compression_with_decoders:.1f}× | {r.acc_retained:.1f} |"
        )
    lines += [
        "",
        f"Original training features: {original_bytes:,} bytes. compression = original feature bytes / "
        "stored bytes (codes or features + transcripts; P's accounting, decoders excluded); "
        "'+ decoders' counts the TCA decoder parameters too. Acc retained = Acc / Acc of `original`.",
    ]
    return "\n".join(lines) + "\n"
