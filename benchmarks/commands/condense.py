"""`itas condense CONFIG [--out DIR] [--device ...]`: P's whole-dataset condensation table."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.commands.training_options import add_training_arguments


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "condense",
        help="condense the whole training split with each memory and train on it (P's Table 1)",
        description="For the training split, build each listed memory's version (original, mean, "
        "coreset, tca, encoded, condensed with its K and gamma), train the backbone on the decoded "
        "version, evaluate on the real test split, and write condense.csv / condense.md with Acc, "
        "Edit, F1@k, stored bytes and compression against the original features. The config uses "
        "the `itas run` format with protocol.tasks: 1; see benchmarks/configs/condense.yaml.",
    )
    add_training_arguments(p, "condense.yaml", "runs/condense-<time>")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmarks.studies.condense import condense_experiment, condense_markdown, feature_bytes
    from benchmarks.config import bundled_config, dump_config, load_config
    from benchmarks.orchestration.data import experiment_scenario, load_experiment_data
    from benchmarks.orchestration.runner import resolve_device
    from tasks.atomic_files import writable_folder, write_text_atomically
    from tasks.precision import check_precision

    source = args.config or bundled_config("condense")
    cfg = load_config(source, args.overrides)
    device = resolve_device(args.device)
    check_precision(cfg["train"]["precision"], device)
    out = Path(args.out) if args.out else Path("runs") / f"condense-{time.strftime('%Y%m%d-%H%M%S')}"
    dataset = load_experiment_data(cfg["data"])
    seed = cfg["protocol"]["seeds"][0]
    scenario = experiment_scenario(cfg, dataset, seed, str(source))
    background = scenario.label_space.background_ids(list(dataset.background))
    table = condense_experiment(cfg, scenario, background, device, progress=not args.no_progress)
    writable_folder(out)
    dump_config(cfg, out / "config.yaml")
    write_text_atomically(out / "condense.csv", table.to_csv(index=False, float_format="%.4f"))
    markdown = condense_markdown(table, feature_bytes(scenario.tasks[0].train))
    write_text_atomically(out / "condense.md", markdown)
    print(markdown)
    print(f"[itas] wrote {out}")
    return 0
