import numpy as np
import pytest

from replay.selection import diverse_order, gamma_limit, herding_order, rank_videos, transcript_distances
from tasks.activities import BREAKFAST_ACTIONS, BREAKFAST_GRAMMARS
from tasks.errors import DataError
from tasks.procedural import sample_transcript
from tasks.video import Video


def _video(name: str, transcript: list[int], point=(0.0, 0.0), frames_per_segment: int = 2) -> Video:
    labels = np.repeat(np.asarray(transcript, dtype=np.int64), frames_per_segment)
    features = np.tile(np.asarray(point, dtype=np.float32), (len(labels), 1))
    return Video(name, "act", features, labels)


# Hand-worked normalised edit distances from A: B 0 (same), C 2/3 (swap = 2 edits), D 3/3, E 1/3.
TRANSCRIPTS = [[0, 1, 2], [0, 1, 2], [0, 2, 1], [3, 4], [0, 1]]


def test_transcript_distance_is_levenshtein_over_the_longer_length():
    distances = transcript_distances(TRANSCRIPTS)
    np.testing.assert_allclose(distances[0], [0, 0, 2 / 3, 1, 1 / 3])
    np.testing.assert_allclose(distances[3, 4], 1.0)
    np.testing.assert_allclose(distances[2, 4], 1 / 3)


def test_diverse_is_farthest_point_from_the_first_pick():
    # From A: D is farthest (1); then C (nearest picked at 2/3) beats E (1/3) and B (0); then E, B.
    assert diverse_order(TRANSCRIPTS, first=0, limit=5) == [0, 3, 2, 4, 1]
    assert diverse_order(TRANSCRIPTS, first=0, limit=3) == [0, 3, 2]
    # From D everything else is at distance 1: ties go to the lowest index, A; then C at 2/3.
    assert diverse_order(TRANSCRIPTS, first=3, limit=5) == [3, 0, 2, 4, 1]


def test_diverse_ties_among_identical_transcripts_go_to_the_lowest_index():
    assert diverse_order([[1, 2]] * 4, first=2, limit=4) == [2, 0, 1, 3]


def test_rank_videos_diverse_is_seeded_and_gamma_capped():
    videos = [_video(f"v{i}", transcript) for i, transcript in enumerate(TRANSCRIPTS)]
    first = int(np.random.default_rng(7).integers(5))
    expected = diverse_order(TRANSCRIPTS, first, 3)
    assert rank_videos(videos, "diverse", 7, gamma=0.5) == expected
    assert len(rank_videos(videos, "diverse", 7)) == 5


def test_herding_picks_the_expected_points_in_2d():
    # Mean (1, 1). Pick 1: the centre (4). Pick 2: all corners tie at distance sqrt(2)/2 → 0.
    # Pick 3: (1,1)+(0,0)+(2,2) = 3·(1,1) exactly → 3. Pick 4: (2,0) and (0,2) tie → 1, then 2.
    points = np.array([[0, 0], [2, 0], [0, 2], [2, 2], [1, 1]], dtype=np.float64)
    assert herding_order(points, 5) == [4, 0, 3, 1, 2]
    videos = [_video(f"v{i}", [0, 1], point) for i, point in enumerate(points)]
    assert rank_videos(videos, "herding", 0) == [4, 0, 3, 1, 2]
    assert rank_videos(videos, "herding", 0, gamma=0.4) == [4, 0]


def test_random_is_a_seeded_permutation():
    videos = [_video(f"v{i}", [i]) for i in range(10)]
    order = rank_videos(videos, "random", (3, 1))
    assert sorted(order) == list(range(10))
    assert order == rank_videos(videos, "random", (3, 1))
    assert order != rank_videos(videos, "random", (3, 2))
    assert rank_videos(videos, "random", (3, 1), gamma=0.3) == order[:3]


def test_gamma_limit_rounds_up_and_keeps_one():
    assert gamma_limit(30, 0.1) == 3
    assert gamma_limit(7, 0.5) == 4
    assert gamma_limit(1, 0.1) == 1
    assert gamma_limit(7, None) == 7


@pytest.mark.parametrize("method, gamma, fragment", [("kmeans", None, "selection: 'kmeans'"), ("random", 0, "gamma"), ("random", 1.5, "gamma")])
def test_bad_selection_parameters_raise_data_error(method, gamma, fragment):
    with pytest.raises(DataError, match=fragment):
        rank_videos([_video("v", [0])], method, 0, gamma)


def _procedural_transcripts(activity: str, count: int, seed: int) -> list[list[int]]:
    """Transcripts of `count` videos from the breakfast-like preset's grammar for `activity`."""
    rng = np.random.default_rng(seed)
    ids = {action: index for index, action in enumerate(BREAKFAST_ACTIONS)}
    return [[ids[action] for action in sample_transcript(BREAKFAST_GRAMMARS[activity], rng)] for _ in range(count)]


def test_diverse_keeps_more_distinct_transcripts_than_random_at_half_the_videos():
    # 18 training videos per activity (the quick scale), γ = 0.5 → 9 kept, 10 activities × 3 seeds.
    kept = {"diverse": [], "random": []}
    for seed in range(3):
        for activity in sorted(BREAKFAST_GRAMMARS):
            transcripts = _procedural_transcripts(activity, 18, seed)
            videos = [_video(f"v{i}", t, frames_per_segment=1) for i, t in enumerate(transcripts)]
            distinct = len({tuple(transcript) for transcript in transcripts})
            for method in kept:
                order = rank_videos(videos, method, seed, gamma=0.5)
                kept[method].append(len({tuple(transcripts[i]) for i in order}))
            # Farthest-point sampling picks every transcript at distance > 0 before any repeat.
            assert kept["diverse"][-1] == min(distinct, 9)
    # Measured with the current grammars: diverse 242, random 168 distinct (30 draws of 9 kept).
    assert sum(kept["diverse"]) > sum(kept["random"]) + 20
