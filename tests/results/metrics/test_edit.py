import numpy as np
import pytest

from results.metrics.edit import edit_score, mean_edit
from tasks.errors import DataError

PRED1 = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0])
GT1 = np.array([0, 0, 1, 1, 2, 1, 1, 0, 0])
PRED2 = np.array([1, 2, 3, 0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0])
GT2 = np.array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3])


def test_actseg_readme_example_per_video_and_mean():
    # transcripts 0 1 0 1 0 vs 0 1 2 1 0: one substitution of 5 -> 80
    assert edit_score(PRED1, GT1) == pytest.approx(80.0)
    # 12 predicted runs (1 2 3 0 repeated) vs 1 2 3: 9 deletions of 12 -> 25
    assert edit_score(PRED2, GT2) == pytest.approx(25.0)
    assert mean_edit([PRED1, PRED2], [GT1, GT2]) == pytest.approx(52.5)


def test_background_removed_before_the_distance():
    # bg 0: P = 1 1, G = 1 2 1 -> one insertion of 3 -> 66.67; second video 33.33; mean 50
    assert edit_score(PRED1, GT1, background=(0,)) == pytest.approx(200 / 3)
    assert edit_score(PRED2, GT2, background=(0,)) == pytest.approx(100 / 3)
    assert mean_edit([PRED1, PRED2], [GT1, GT2], background=(0,)) == pytest.approx(50.0)


def test_over_segmentation():
    gt = np.repeat([0, 1, 2], 10)
    pred = np.repeat([0, 1, 2, 1, 2], [10, 4, 2, 4, 10])
    assert edit_score(pred, gt) == pytest.approx(60.0)


def test_perfect_and_string_labels():
    assert edit_score(np.array([1, 1, 2, 2, 3]), np.array([1, 1, 2, 2, 3])) == 100.0
    pred = np.array(["SIL", "take", "pour", "pour", "SIL"])
    gt = np.array(["SIL", "take", "take", "stir", "SIL"])
    assert edit_score(pred, gt) == pytest.approx(75.0)
    assert edit_score(pred, gt, background=("SIL",)) == pytest.approx(50.0)


def test_both_sides_without_foreground_score_100():
    assert edit_score(np.array([0, 0]), np.array([0, 0]), background=(0,)) == 100.0


def test_one_side_without_foreground_scores_0():
    assert edit_score(np.array([0, 0, 0]), np.array([0, 1, 1]), background=(0,)) == 0.0


def test_background_of_the_wrong_type_is_rejected():
    with pytest.raises(DataError, match="background classes"):
        edit_score(np.array([1, 2]), np.array([1, 2]), background=("SIL",))
