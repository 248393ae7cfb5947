"""The profile's feature statistics on videos whose components are known exactly."""
import numpy as np
import pytest

from tasks.errors import DataError
from tasks.profile import feature_statistics, white_noise, within_segment_scale
from tasks.video import Video

DIM = 16


def make_videos(noise: float, structure: float, seed: int = 0, videos: int = 12, length: int = 20):
    """Videos of two classes, segments of `length` frames; per class a smooth rank-2 trajectory over
    progress (amplitude `structure`) plus white noise of std `noise`. Returns the videos and the
    same videos without the noise."""
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((2, 2, DIM))
    means = 3 * rng.standard_normal((2, DIM))
    noisy, quiet = [], []
    for v in range(videos):
        labels = np.repeat(np.arange(4) % 2, length)
        progress = np.tile(np.linspace(0, 1, length), 4)
        waves = np.stack([np.sin(np.pi * progress), np.cos(np.pi * progress)], 1)
        smooth = means[labels] + structure * np.einsum("tk,tkd->td", waves, directions[labels])
        white = noise * rng.standard_normal(smooth.shape)
        noisy.append(Video(f"v{v}", "a", (smooth + white).astype(np.float32), labels))
        quiet.append(Video(f"v{v}", "a", smooth.astype(np.float32), labels))
    return noisy, quiet


def within(videos):
    parts = [v.features[s:s + 20].astype(np.float64) - v.features[s:s + 20].mean(0) for v in videos for s in range(0, 80, 20)]
    return float(np.concatenate(parts).var())


@pytest.mark.parametrize("noise,structure", [(1.0, 0.0), (1.0, 1.0), (0.3, 2.0), (0.0, 1.0)])
def test_white_share_recovers_the_known_split(noise, structure):
    noisy, quiet = make_videos(noise, structure)
    truth = 1 - within(quiet) / within(noisy)
    stats = feature_statistics(noisy[:10], noisy[10:], ["a", "b"])
    assert stats["white_share"] == pytest.approx(truth, abs=0.03)
    assert 0 <= stats["white_share"] <= 1


def test_lag1_autocorrelation_is_zero_for_white_noise_and_high_for_smooth_features():
    white, _ = make_videos(1.0, 0.0)
    smooth, _ = make_videos(0.0, 1.0)
    assert white_noise(white, within_segment_scale(white))["lag1_autocorrelation"] == pytest.approx(0, abs=0.05)
    assert white_noise(smooth, within_segment_scale(smooth))["lag1_autocorrelation"] > 0.95


def test_separability_and_nearest_mean_accuracy():
    apart, _ = make_videos(0.1, 0.1)
    stats = feature_statistics(apart[:10], apart[10:], ["a", "b"])
    assert stats["nearest_mean_accuracy"] == 1.0 and stats["separability"] > 10
    rng = np.random.default_rng(1)
    same = [Video(f"v{i}", "a", rng.standard_normal((40, DIM)).astype(np.float32), np.repeat([0, 1], 20))
            for i in range(20)]
    stats = feature_statistics(same[:16], same[16:], ["a", "b"])
    assert stats["separability"] < 0.05 and 0.3 < stats["nearest_mean_accuracy"] < 0.7


def test_no_segment_of_three_frames_is_an_error():
    videos = [Video(f"v{i}", "a", np.zeros((6, 4), np.float32), np.array([0, 0, 1, 1, 0, 0])) for i in range(4)]
    with pytest.raises(DataError, match="no segment of at least 3 frames"):
        white_noise(videos, np.ones(4))
