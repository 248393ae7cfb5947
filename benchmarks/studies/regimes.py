"""The regime map: final Acc of replay memories as the white-noise share of within-segment variance
goes from mostly structure (learnable by a decoder) to mostly white noise (learnable by nothing).

    python -m benchmarks.studies.regimes [--out DIR] [--jobs N] [--seeds 42 123 1000]

At each point the procedural generator's white-noise std and structured amplitude split one total
within-segment variance V·k² (share s: noise_std² = s·V·k², structure² = (1 - s)·V·k²); k is
re-calibrated per point (up to `--attempts` `joint` runs on the first seed, each step assuming Acc
linear in log k) so that `joint` stays in the real-Breakfast band of 60-75% final Acc. Then every
memory runs over every seed on that data. The measured share (white-noise variance over the
measured within-segment variance of the training videos) is reported next to the nominal one.
Writes regimes.csv (one row per run), regimes.md (mean ± std per memory and point), regimes.png,
and each point's run folder (resumable: an interrupted study re-run with the same --out skips
finished runs).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.config import load_config
from benchmarks.orchestration.executors import ProcessPool
from benchmarks.orchestration.outputs import write_run_tables
from benchmarks.orchestration.runner import prepare_experiment, resolve_device, run_experiment
from benchmarks.studies.regime_position import MAP_PRESET
from results.tables import pipe_table
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError
from tasks.procedural import GeneratorParams, plan_videos, render_videos
from tasks.video import segments

BAND = (60.0, 75.0)
TARGET = 67.5
SLOPE = -30.0  # d Acc / d ln(noise std) of `joint` on the quick protocol (README: 84.0 at 1.8, 61.4 at 3.8)
TOTAL_VARIANCE = 3.5 ** 2  # that preset's white-noise variance: the starting total at every point
TCA = {"K": 1, "gamma": None, "latent": 16, "hidden": 128}
RESIDUAL = {"noise": "residual"}
# P's Table 5 (Breakfast, MS-TCN, final Acc): the ordering its real I3D features give, worst first.
P_ACC = {"mean": 18.4, "tca": 31.4, "condensed": 38.2, "original": 44.4}
# CPU-sized protocol over the quick config, sized to fit 40 minutes on an idle 2-core machine: the
# ten one-activity tasks with 6 train + 2 test videos per activity at half the quick length, one
# video per step for 15 epochs (90 optimizer steps per task), budget 12 videos; TCA and inversion as
# in the quick config.
PROTOCOLS = {
    "cpu": {"data.videos_per_activity": 8, "data.length_scale": 0.025, "train.epochs": 15, "train.batch_size": 1,
            "train.lr": 0.003, "budgets": [{"videos": 12}], "tca_epochs": 500, "inversion_steps": 300},
    "tiny": {"data.dim": 16, "data.videos_per_activity": 4, "protocol.tasks": 5, "train.epochs": 1,
             "backbone.stages": 1, "backbone.layers": 3, "backbone.maps": 8, "budgets": [{"videos": 10}],
             "tca_epochs": 2, "inversion_steps": 2},
}


def memory_entries(names: list[str], tca_epochs: int, inversion_steps: int) -> list[dict]:
    """Strategy entries of the study's memories; '<name>-residual' is <name> with noise: residual,
    '<name>-residual-fixed' the same with noise_draws: fixed (one noise draw replayed every time)."""
    latent = {**TCA, "tca_epochs": tca_epochs}
    params = {"original": {}, "mean": {}, "tca": {"latent": 16, "hidden": 128, "tca_epochs": tca_epochs},
              "condensed": {**latent, "inversion_steps": inversion_steps}}
    entries = []
    for label in names:
        fixed = label.endswith("-residual-fixed")
        base = label.removesuffix("-residual-fixed") if fixed else label.removesuffix("-residual")
        if base not in params or (label != base and base == "original"):
            raise DataError(f"--memories: unknown memory {label!r} (original, mean, condensed, tca, their "
                            "-residual variants, e.g. mean-residual, and -residual-fixed, e.g. mean-residual-fixed)")
        extra = {**RESIDUAL, "noise_draws": "fixed"} if fixed else RESIDUAL if label != base else {}
        entries.append({"name": base, "label": label, "params": {**params[base], **extra}})
    return entries


def point_config(base: dict, share: float, scale: float) -> dict:
    cfg = copy.deepcopy(base)
    total = TOTAL_VARIANCE * scale ** 2
    cfg["data"]["noise_std"] = round(math.sqrt(share * total), 4)
    cfg["data"]["structure"] = round(math.sqrt((1 - share) * total), 4)
    return cfg


def measured_share(data_cfg: dict) -> float:
    """White-noise variance over the measured within-segment variance of the training videos."""
    params = GeneratorParams(data_cfg["preset"], data_cfg["dim"], data_cfg["videos_per_activity"],
                             data_cfg["length_scale"], data_cfg["seed"], data_cfg["noise_std"],
                             data_cfg["noise_correlation"], data_cfg["structure"])
    plans = [plan for plan in plan_videos(params) if plan.split == "train"]
    quiet = replace(params, noise_std=0.0)

    def within(p: GeneratorParams) -> float:
        parts = []
        for _, features, labels in render_videos(plans, p):
            _, starts, ends = segments(labels)
            parts += [features[s:e] - features[s:e].mean(0) for s, e in zip(starts, ends)]
        return float(np.concatenate(parts).var())

    total = within(params)
    return (total - within(quiet)) / total


def final_accuracy(records: list[dict]) -> pd.DataFrame:
    """Per strategy and seed: mean over tasks of the last row of R (Acc)."""
    rows = []
    for record in records:
        acc = [(i, j, v) for name, i, j, metric, v in record["metrics"] if metric == "acc" and name == record["strategy"]]
        last = max(i for i, _, _ in acc)
        rows.append({"strategy": record["strategy"], "seed": record["seed"],
                     "acc": float(np.mean([v for i, _, v in acc if i == last]))})
    return pd.DataFrame(rows)


def run_point(cfg: dict, out: Path, device, jobs: int) -> list[dict]:
    experiment = prepare_experiment(cfg)
    out.mkdir(parents=True, exist_ok=True)
    executor = ProcessPool(jobs) if jobs > 1 else None
    records = run_experiment(experiment, out, device, progress=False, executor=executor)
    write_run_tables(records, out)
    return records


def calibrate(base: dict, share: float, out: Path, device, attempts: int) -> tuple[float, list[tuple[float, float]]]:
    """Scale k putting `joint` (first seed) in the band; the tried (k, Acc) pairs."""
    tried: list[tuple[float, float]] = []
    scale = 1.0
    for attempt in range(attempts):
        cfg = point_config(base, share, scale)
        cfg["strategies"], cfg["protocol"]["seeds"] = ["joint"], cfg["protocol"]["seeds"][:1]
        acc = float(final_accuracy(run_point(cfg, out / f"calibration-{share:g}-{attempt}", device, 1))["acc"][0])
        tried.append((scale, acc))
        print(f"[regimes] share {share:g}: k {scale:.3f} -> joint {acc:.1f}", flush=True)
        if BAND[0] + 2 <= acc <= BAND[1] - 2:
            break
        if len(tried) >= 2 and tried[-1][1] != tried[-2][1]:
            (k0, a0), (k1, a1) = tried[-2:]
            slope = (a1 - a0) / (math.log(k1) - math.log(k0))
            slope = slope if slope < 0 else SLOPE
        else:
            slope = SLOPE
        scale = float(np.clip(scale * math.exp((TARGET - acc) / slope), scale / 3, scale * 3))
    best = min(tried, key=lambda pair: abs(pair[1] - TARGET))
    return best[0], tried


def plot(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    stats = table.groupby(["strategy", "measured_share"])["acc"].agg(["mean", "std"]).reset_index()
    for strategy, group in stats.groupby("strategy", sort=False):
        group = group.sort_values("measured_share")
        x, mean, std = group["measured_share"] * 100, group["mean"], group["std"].fillna(0)
        style = ":" if strategy.endswith("-fixed") else "--" if strategy.endswith("-residual") else "-"
        (line,) = ax.plot(x, mean, style, marker="o", label=strategy)
        ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.15)
    ax.set_xlabel("white-noise share of within-segment variance (%, measured)")
    ax.set_ylabel("final average Acc (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary_markdown(table: pd.DataFrame) -> str:
    stats = table.groupby(["strategy", "share"], sort=False)["acc"].agg(["mean", "std"])
    shares = sorted(table["share"].unique())
    measured = table.groupby("share")["measured_share"].first()
    joint = table.groupby("share")["joint_calibration"].first()
    columns = {f"{s:.0%} ({measured[s]:.0%})": s for s in shares}
    rows = []
    for strategy in table["strategy"].unique():
        row = {"memory": strategy}
        for title, share in columns.items():
            mean, std = stats.loc[(strategy, share)]
            row[title] = f"{mean:.1f} ± {0 if np.isnan(std) else std:.1f}"
        rows.append(row)
    rows.append({"memory": "joint (calibration, 1 seed)", **{t: f"{joint[s]:.1f}" for t, s in columns.items()}})
    header = "white-noise share: nominal (measured) → final Acc, mean ± std over seeds\n\n"
    return header + pipe_table(pd.DataFrame(rows)) + "\n\n" + ordering_markdown(table)


def ordering_agreement(means: dict[str, float]) -> tuple[list[str], int, int]:
    """The memories of P's Table 5 present in `means`, worst first by their mean Acc here, and how
    many of their pairs are ordered as in P (of how many pairs)."""
    names = [name for name in P_ACC if name in means]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    agree = sum((means[a] < means[b]) == (P_ACC[a] < P_ACC[b]) for a, b in pairs)
    return sorted(names, key=lambda name: means[name]), agree, len(pairs)


def ordering_markdown(table: pd.DataFrame) -> str:
    means = table.groupby(["share", "strategy"])["acc"].mean()
    measured = table.groupby("share")["measured_share"].first()
    reference = " < ".join(f"{name} {acc:g}" for name, acc in P_ACC.items())
    lines = [f"P's ordering (Table 5, Breakfast, MS-TCN, Acc): {reference}\n",
             "| share (measured) | order here, worst first (mean Acc) | pairs ordered as in P |", "|---|---|---|"]
    for share in sorted(table["share"].unique()):
        order, agree, pairs = ordering_agreement(means.loc[share].to_dict())
        if pairs:
            text = " < ".join(f"{name} {means.loc[(share, name)]:.1f}" for name in order)
            lines.append(f"| {share:.0%} ({measured[share]:.0%}) | {text} | {agree} of {pairs} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.studies.regimes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=None, help="output folder (default runs/regimes-<time>)")
    parser.add_argument("--device", default="cpu", help="auto | cpu | cuda (default cpu)")
    parser.add_argument("--protocol", default="cpu", choices=sorted(PROTOCOLS), help="study size (default cpu)")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.1, 0.3, 0.5, 0.7, 0.9])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 123, 1000])
    parser.add_argument("--memories", nargs="+", default=["original", "mean", "mean-residual", "condensed",
                                                          "condensed-residual", "tca", "tca-residual"])
    parser.add_argument("--attempts", type=int, default=3, help="joint runs per point to calibrate (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="runs trained at once (default 2)")
    args = parser.parse_args(argv)
    try:
        if not all(0 < share < 1 for share in args.shares) or args.attempts < 1 or args.jobs < 1:
            raise DataError("--shares: expected numbers in (0, 1); --attempts and --jobs: positive integers")
        size = dict(PROTOCOLS[args.protocol])
        entries = memory_entries(args.memories, size.pop("tca_epochs"), size.pop("inversion_steps"))
        overrides = [f"{key}={json.dumps(value)}" for key, value in size.items()]
        # The map splits the noise-dominated preset's within-segment variance (its white noise) into
        # white and structured parts; measured/ holds what that data gave.
        base = load_config(None, overrides + [f"protocol.seeds={json.dumps(args.seeds)}", f"data.preset={MAP_PRESET}"])
        base["strategies"] = entries
        device = resolve_device(args.device)
    except DataError as err:
        print(f"regimes: error: {err}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("runs") / f"regimes-{time.strftime('%Y%m%d-%H%M%S')}"
    # Each point's calibration is a chain of single `joint` runs, independent of the other points':
    # the chains share the --jobs processes instead of leaving all but one core idle.
    calibrations = [(base, share, out, device, args.attempts) for share in args.shares]
    if args.jobs > 1:
        with ProcessPoolExecutor(min(args.jobs, len(args.shares)), mp_context=multiprocessing.get_context("spawn")) as pool:
            calibrated = list(pool.map(calibrate, *zip(*calibrations)))
    else:
        calibrated = [calibrate(*arguments) for arguments in calibrations]
    frames = []
    for share, (scale, tried) in zip(args.shares, calibrated):
        cfg = point_config(base, share, scale)
        table = final_accuracy(run_point(cfg, out / f"share-{share:g}", device, args.jobs))
        table = table.assign(share=share, measured_share=measured_share(cfg["data"]), scale=scale,
                             noise_std=cfg["data"]["noise_std"], structure=cfg["data"]["structure"],
                             joint_calibration=dict(tried)[scale], calibration_runs=len(tried))
        frames.append(table)
        results = pd.concat(frames, ignore_index=True)
        # Written after every point, so a study cut short still leaves what it measured.
        write_text_atomically(out / "regimes.csv", results.to_csv(index=False, float_format="%.4f"))
        write_text_atomically(out / "regimes.md", summary_markdown(results))
        plot(results, out / "regimes.png")
        print(f"[regimes] share {share:g} done", flush=True)
    print((out / "regimes.md").read_text(), end="")
    print(f"[regimes] wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
