"""Where a dataset sits on the regime map (benchmarks/studies/regimes.py): the nearest measured point
by white share, the memories' order measured there, and whether the dataset lies outside the map.

The map varies one statistic, the white share of within-segment variance; its data share every
other property of the procedural generator at the map's protocol. So a dataset is placed by its
white share, and said to lie outside the map when its white share is more than MARGIN beyond the
measured range, or when its lag-1 autocorrelation or nearest-class-mean accuracy is more than
MARGIN outside the range the map's own data show (their profiles: measured/regime_profiles.csv).
There the map's order is a guess, not a measurement.

    python -m benchmarks.studies.regime_position   # re-measure measured/regime_profiles.csv
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from tasks.atomic_files import write_text_atomically
from tasks.procedural import GeneratorParams, plan_videos, render_videos
from tasks.profile import feature_statistics
from tasks.video import Video

MEASURED = Path(__file__).parent / "measured"
MARGIN = 0.05
# The map's data (regimes.py, cpu protocol): its preset at these sizes, generator seed 0.
MAP_PRESET = "noise-dominated"
MAP_DATA = GeneratorParams(MAP_PRESET, dim=64, videos_per_activity=8, length_scale=0.025, seed=0)
CHECKED = ("white_share", "lag1_autocorrelation", "nearest_mean_accuracy")


def map_points(measured: Path = MEASURED) -> pd.DataFrame:
    """One row per map point: nominal share, measured share, the generator's noise std and structure."""
    table = pd.read_csv(measured / "regimes.csv")
    return (table.groupby("share")[["measured_share", "noise_std", "structure"]].first()
            .reset_index().sort_values("share", ignore_index=True))


def point_videos(noise_std: float, structure: float) -> tuple[list[Video], list[Video], GeneratorParams]:
    """The map's data at one point: (train videos, test videos, its generator parameters)."""
    params = replace(MAP_DATA, noise_std=float(noise_std), structure=float(structure))
    plans = plan_videos(params)
    videos = [(plan.split, Video(name, plan.activity, features, labels))
              for plan, (name, features, labels) in zip(plans, render_videos(plans, params))]
    return ([v for split, v in videos if split == "train"], [v for split, v in videos if split == "test"],
            params)


def measure_point_profiles(measured: Path = MEASURED) -> pd.DataFrame:
    """The profile statistics of the map's data at each point (regime_profiles.csv)."""
    rows = []
    for point in map_points(measured).itertuples():
        train, test, _ = point_videos(point.noise_std, point.structure)
        stats = feature_statistics(train, test, [str(i) for i in range(48)])
        rows.append({"share": point.share, "measured_share": point.measured_share,
                     **{key: stats[key] for key in (*CHECKED, "separability")}})
    return pd.DataFrame(rows)


def ordering_at(share: float, measured: Path = MEASURED) -> list[tuple[str, float]]:
    """(memory, mean final Acc over seeds) at the map point `share`, worst first."""
    table = pd.read_csv(measured / "regimes.csv")
    means = table[table["share"] == share].groupby("strategy")["acc"].mean()
    return sorted(((str(name), float(acc)) for name, acc in means.items()), key=lambda pair: pair[1])


def position(stats: dict, measured: Path = MEASURED) -> dict:
    """The nearest map point by white share, the order measured there, and what lies outside."""
    profiles = pd.read_csv(measured / "regime_profiles.csv")
    nearest = profiles.iloc[(profiles["white_share"] - stats["white_share"]).abs().argmin()]
    outside = []
    for key in CHECKED:
        low, high = profiles[key].min(), profiles[key].max()
        if not low - MARGIN <= stats[key] <= high + MARGIN:
            outside.append({"statistic": key, "value": float(stats[key]), "map_range": [float(low), float(high)]})
    return {"nearest_share": float(nearest["share"]), "nearest_white_share": float(nearest["white_share"]),
            "distance": abs(float(nearest["white_share"]) - float(stats["white_share"])),
            "inside": not outside, "outside": outside,
            "ordering": [{"memory": name, "acc": acc} for name, acc in ordering_at(float(nearest["share"]), measured)]}


def position_lines(where: dict) -> list[str]:
    """Human-readable lines for `itas profile`."""
    order = " < ".join(f"{row['memory']} {row['acc']:.1f}" for row in where["ordering"])
    lines = [f"nearest regime-map point: white share {where['nearest_share']:.0%} nominal "
             f"({where['nearest_white_share']:.1%} by this estimator; distance {where['distance']:.1%})",
             f"  final Acc measured there (worst first): {order}"]
    if where["inside"]:
        lines.append("  the dataset lies inside the map")
    for row in where["outside"]:
        low, high = row["map_range"]
        lines.append(f"  OUTSIDE the map: {row['statistic']} {row['value']:.3f}, the map spans {low:.3f}-{high:.3f} "
                     "(the order above is not measured for such data)")
    return lines


def main() -> int:
    table = measure_point_profiles()
    path = write_text_atomically(MEASURED / "regime_profiles.csv", table.to_csv(index=False, float_format="%.4f"))
    print(table.to_string(index=False))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
