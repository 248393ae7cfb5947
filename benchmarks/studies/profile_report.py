"""profile.md and profile.png of `itas profile`, and the side-by-side table of several profiles
(a dataset and its procedural twin)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from benchmarks.studies.regime_position import position_lines
from results.tables import pipe_table


def _lengths(kind: str) -> Callable[[dict], str]:
    def cell(profile: dict) -> str:
        stats = profile["segment_lengths"][kind]
        if not stats["count"]:
            return "–"
        return f"{stats['median']:.0f} ({stats['p10']:.0f}–{stats['p90']:.0f})"
    return cell


def _diversity(profile: dict) -> str:
    return ", ".join(f"{activity} {row['distinct']}/{row['videos']}" for activity, row in profile["transcripts"].items())


# (row title, cell of a profile): the summary every profile.md and comparison shows.
SUMMARY: list[tuple[str, Callable[[dict], str]]] = [
    ("videos (train + test)", lambda p: f"{p['data']['train_videos']} + {p['data']['test_videos']}"),
    ("frames, dim, sample rate", lambda p: f"{p['data']['frames']}, {p['data']['dim']}, {p['data']['sample_rate']}"),
    ("per-dimension std: min / median / max", lambda p: "{min:.3g} / {median:.3g} / {max:.3g}".format(**p["dimension_scale"])),
    ("white share of within-segment variance", lambda p: f"{p['white_share']:.1%}"),
    ("lag-1 autocorrelation (within segments)", lambda p: f"{p['lag1_autocorrelation']:.3f}"),
    ("between / within-class variance", lambda p: "–" if p["separability"] is None else f"{p['separability']:.3f}"),
    ("nearest-class-mean frame accuracy (test)", lambda p: f"{p['nearest_mean_accuracy']:.1%}"),
    ("segments per video: median (min–max)",
     lambda p: "{median:.0f} ({min:.0f}–{max:.0f})".format(**p["segments_per_video"])),
    ("foreground segment length: median (p10–p90)", _lengths("foreground")),
    ("background segment length: median (p10–p90)", _lengths("background")),
    ("background share of frames", lambda p: f"{p['background_share']:.1%} ({', '.join(p['background']) or 'none named'})"),
    ("distinct transcripts / videos per activity", _diversity),
]


def comparison_markdown(profiles: dict[str, dict]) -> str:
    """One row per summary statistic, one column per named profile."""
    rows = [{"statistic": title, **{name: cell(p) for name, p in profiles.items()}} for title, cell in SUMMARY]
    return pipe_table(pd.DataFrame(rows))


def profile_markdown(profile: dict) -> str:
    actions = pd.DataFrame([
        {"action": name, "segments": row["count"], "median length": f"{row['median']:.1f}",
         "p10–p90": f"{row['p10']:.0f}–{row['p90']:.0f}", "log-normal μ, σ": f"{row['log_mean']:.2f}, {row['log_std']:.2f}"}
        for name, row in profile["segment_lengths_per_action"].items()])
    noise = profile["white_noise"]
    return "\n\n".join([
        f"# Profile of {profile['data']['root']}",
        comparison_markdown({"value": profile}),
        "White share = variogram nugget in each class's noise floor × κ / within-segment variance "
        f"(scaled units: nugget {noise['white_variance']:.4g}, within-segment variance "
        f"{noise['within_segment_variance']:.4g}, κ {noise['kappa']:.3f}); see tasks/profile.py.",
        "## Regime map\n\n" + "\n".join(position_lines(profile["regime_map"])),
        "## Segment lengths per action (frames at this sample rate)\n\n" + pipe_table(actions),
    ]) + "\n"


def profile_picture(profile: dict, path: Path) -> Path:
    """Left: γ(h)/σ̂² per class (grey) and pooled (black); right: segment-length histogram (log bins)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    gram = profile["variogram"]
    for values in gram["per_class"].values():
        left.plot(gram["lags"], [np.nan if v is None else v for v in values], color="0.6", lw=0.8, alpha=0.6)
    left.plot(gram["lags"], [np.nan if v is None else v for v in gram["pooled"]], color="k", lw=2, label="pooled")
    left.axhline(1.0, ls=":", color="k")
    left.axhline(profile["white_share"], ls="--", color="C3", label=f"white share {profile['white_share']:.0%}")
    left.set(xlabel="lag h (frames at the profiled rate)", ylabel="γ(h) / σ̂²", title="within-segment variogram per class")
    left.legend(fontsize=8)
    histogram = profile["segment_length_histogram"]
    for kind in ("foreground", "background"):
        if sum(histogram[kind]):
            right.stairs(histogram[kind], histogram["edges"], label=f"{kind} ({sum(histogram[kind])} segments)")
    right.set_xscale("log")
    right.set(xlabel="segment length (frames, at the profiled rate)", ylabel="segments", title="segment lengths")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
