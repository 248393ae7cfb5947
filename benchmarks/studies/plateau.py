"""Is every task learned before it is forgotten? Each task trained alone to a plateau, next to
`finetune`'s accuracy on the task it has just trained (R[i][i]) under the config's protocol.

    python -m benchmarks.studies.plateau [CONFIG] [--epochs 60] [--every 10] [--plateau 3] [--seed 42] [--out DIR]

A fresh model per task trains on that task alone with the config's optimiser, learning rate and
batch size, evaluated on the task's test videos every `--every` epochs up to `--epochs`. The
converged single-task accuracy is the mean of the last `--plateau` checkpoints: with a few test
videos per task a converged model still moves by several points from one checkpoint to the next,
so a single checkpoint is a noisy estimate of its level; their spread (max - min) shows whether it
has plateaued, and the last checkpoint's own gap is reported beside it. Under-training shows as
R[i][i] well below that accuracy (the protocol's forgetting figures then mix forgetting with
under-training). Writes plateau.csv and plateau.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
import torch
from tqdm.auto import tqdm

from benchmarks.commands.training_options import add_training_arguments
from benchmarks.config import StrategyEntry, load_config
from benchmarks.orchestration.data import experiment_scenario, load_experiment_data
from benchmarks.orchestration.runner import resolve_device
from benchmarks.orchestration.training import RunSpec, build_backbone, start_training, train_run
from results.tables import pipe_table
from strategies.benchmark import make_benchmark
from strategies.evaluation import SegmentationMetrics
from strategies.template import make_template
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError
from tasks.scenario import Scenario

GAP_GOAL = 10.0  # points: finetune's R[i][i] within this of the converged single-task accuracy


def single_task_curves(cfg: dict, scenario: Scenario, seed: int, epochs: int, every: int,
                       device: torch.device, progress: bool) -> dict[int, dict[int, float]]:
    """Per task, test Acc after every `every` epochs of training a fresh model on that task alone."""
    background = scenario.label_space.background_ids(list(cfg["data"]["background"]))
    bench = make_benchmark(scenario.tasks)
    curves: dict[int, dict[int, float]] = {}
    dim = scenario.tasks[0].train[0].dim
    bar = tqdm(total=len(scenario.tasks) * epochs, desc="single-task", unit="epoch", disable=not progress)
    for index, (train, test) in enumerate(zip(bench.train_stream, bench.test_stream)):
        start_training(cfg["train"], seed, device)
        metric = SegmentationMetrics(background)
        model = build_backbone(cfg, dim, scenario.num_classes)
        strategy = make_template(model, {**cfg["train"], "epochs": every}, device, [], metric)
        curves[index] = {}
        for done in range(every, epochs + 1, every):
            # The optimiser keeps its state across these calls: one continuous training.
            strategy.train(train)
            metric.train_task = done
            strategy.eval([test])
            curves[index][done] = metric.scores[(done, index, "")]["acc"]
            bar.update(every)
    bar.close()
    return curves


def protocol_diagonal(cfg: dict, scenario: Scenario, seed: int, device: torch.device, progress: bool
                      ) -> dict[int, float]:
    """finetune's R[i][i] (Acc) under the config's protocol."""
    spec = RunSpec(StrategyEntry("finetune", "finetune", {}), None, "none", seed, cfg, tuple(cfg["data"]["background"]))
    record = train_run(spec, scenario, device, progress)
    return {i: value for name, i, j, metric, value in record["metrics"] if i == j and metric == "acc" and name == "finetune"}


def plateau_table(curves: dict[int, dict[int, float]], diagonal: dict[int, float], scenario: Scenario,
                  plateau: int) -> pd.DataFrame:
    rows = []
    for index, curve in curves.items():
        checkpoints = sorted(curve)
        level = [curve[epoch] for epoch in checkpoints[-plateau:]]
        row = {"task": index, "activities": "+".join(scenario.tasks[index].activities),
               "finetune_Rii": diagonal[index]}
        row.update({f"alone@{epoch}": curve[epoch] for epoch in checkpoints})
        row["converged"] = sum(level) / len(level)
        row["spread"] = max(level) - min(level)
        row["gap"] = row["converged"] - diagonal[index]
        row["gap_last"] = level[-1] - diagonal[index]
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.studies.plateau", description=__doc__.split("\n\n")[0])
    add_training_arguments(parser, "quick.yaml", "runs/plateau-<time>")
    parser.add_argument("--epochs", type=int, default=60, help="single-task training length (default 60)")
    parser.add_argument("--every", type=int, default=10, help="evaluate every N epochs (default 10)")
    parser.add_argument("--plateau", type=int, default=3,
                        help="checkpoints averaged into the converged accuracy (default 3: the last 30 epochs)")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the config's first seed)")
    args = parser.parse_args(argv)
    try:
        if args.every < 1 or args.epochs < args.every:
            raise DataError(f"--epochs/--every: expected 1 <= every <= epochs, got {args.every} and {args.epochs}")
        if not 1 <= args.plateau <= args.epochs // args.every:
            raise DataError(f"--plateau: expected 1 to {args.epochs // args.every} checkpoints, got {args.plateau}")
        cfg = load_config(args.config, args.overrides)
        seed = cfg["protocol"]["seeds"][0] if args.seed is None else args.seed
        device = resolve_device(args.device)
        out = Path(args.out) if args.out else Path("runs") / f"plateau-{time.strftime('%Y%m%d-%H%M%S')}"
        scenario = experiment_scenario(cfg, load_experiment_data(cfg["data"]), seed)
    except DataError as err:
        print(f"plateau: error: {err}", file=sys.stderr)
        return 2
    progress = not args.no_progress
    diagonal = protocol_diagonal(cfg, scenario, seed, device, progress)
    curves = single_task_curves(cfg, scenario, seed, args.epochs, args.every, device, progress)
    table = plateau_table(curves, diagonal, scenario, args.plateau)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomically(out / "plateau.csv", table.to_csv(index=False, float_format="%.1f"))
    within = bool((table["gap"].abs() <= GAP_GOAL).all())
    within_last = int((table["gap_last"].abs() <= GAP_GOAL).sum())
    summary = (f"seed {seed}, {cfg['train']['epochs']} epochs per task in the protocol, single-task training up to "
               f"{args.epochs}, converged = mean of the last {args.plateau} checkpoints; every |gap| <= {GAP_GOAL:g}: "
               f"{'yes' if within else 'no'} (largest {table['gap'].abs().max():.1f}); against the last checkpoint "
               f"alone: {within_last} of {len(table)} within {GAP_GOAL:g}\n")
    cells = table.map(lambda v: f"{v:.1f}" if isinstance(v, float) else str(v))
    write_text_atomically(out / "plateau.md", pipe_table(cells) + "\n\n" + summary)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print(summary, end="")
    print(f"[plateau] wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
