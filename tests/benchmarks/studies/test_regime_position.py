"""`itas profile`'s white-share estimator against the generator's own components at every point of
the regime map, and the placement of a profile on the map."""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from benchmarks.studies.regime_position import MEASURED, map_points, point_videos, position
from tasks.procedural import plan_videos, render_videos
from tasks.profile import feature_statistics
from tasks.video import segments

TOLERANCE = 0.05  # issue 16: within ±5 points of the generator's measured share


def within_variance(videos) -> float:
    parts = []
    for video in videos:
        _, starts, ends = segments(video.labels)
        parts += [video.features[s:e].astype(np.float64) - video.features[s:e].mean(0) for s, e in zip(starts, ends)]
    return float(np.concatenate(parts).var())


def generator_share(train, params) -> float:
    """The generator's white share of these very training videos: their within-segment variance
    minus that of the same videos rendered without the white-noise term, over the former."""
    plans = plan_videos(params)
    names = {video.name for video in train}
    quiet = [(name, labels, features) for name, features, labels in render_videos(plans, replace(params, noise_std=0.0))]

    class Quiet:
        def __init__(self, features, labels):
            self.features, self.labels = features, labels

    total = within_variance(train)
    return (total - within_variance([Quiet(f, l) for n, l, f in quiet if n in names])) / total


@pytest.mark.parametrize("share", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_estimated_white_share_matches_the_generator_at_each_map_point(share):
    point = map_points().set_index("share").loc[share]
    train, test, params = point_videos(point["noise_std"], point["structure"])
    estimated = feature_statistics(train, test, [str(i) for i in range(48)])
    truth = generator_share(train, params)
    assert abs(estimated["white_share"] - truth) <= TOLERANCE, (share, estimated["white_share"], truth)
    # The stored values come from one machine; per-class eigendecompositions round differently on
    # other BLAS kernels (measured: 0.1090 here against 0.1106 stored at the 10% point).
    stored = pd.read_csv(MEASURED / "regime_profiles.csv").set_index("share").loc[share]
    assert estimated["white_share"] == pytest.approx(stored["white_share"], abs=5e-3)
    assert estimated["lag1_autocorrelation"] == pytest.approx(stored["lag1_autocorrelation"], abs=5e-3)


def test_position_names_the_nearest_point_and_what_lies_outside():
    inside = position({"white_share": 0.47, "lag1_autocorrelation": 0.3, "nearest_mean_accuracy": 0.65})
    assert inside["nearest_share"] == 0.5 and inside["inside"] and not inside["outside"]
    accs = [row["acc"] for row in inside["ordering"]]
    assert accs == sorted(accs) and {row["memory"] for row in inside["ordering"]} >= {"original", "condensed", "tca"}
    smooth = position({"white_share": 0.02, "lag1_autocorrelation": 0.9, "nearest_mean_accuracy": 0.65})
    assert smooth["nearest_share"] == 0.1 and not smooth["inside"]
    assert [row["statistic"] for row in smooth["outside"]] == ["white_share", "lag1_autocorrelation"]
