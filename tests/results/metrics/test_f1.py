import numpy as np
import pytest

from results.metrics.f1 import f1_counts, f1_from_counts, f1_scores

PRED1 = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0])
GT1 = np.array([0, 0, 1, 1, 2, 1, 1, 0, 0])
PRED2 = np.array([1, 2, 3, 0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0])
GT2 = np.array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3])


def test_counts_of_the_actseg_readme_example():
    # video 1: 5 predicted segments, 4 matched (the lone 0 at frame 4 overlaps no GT 0)
    assert f1_counts(PRED1, GT1).tolist() == [[4, 1, 1]] * 3
    # video 2: 12 predicted runs against 3 GT segments; the first 1, the second 2 and the third 3
    # overlap their GT segment with IoU 1/5, 1/6 and 1/7: hits at 0.10, none at 0.25
    assert f1_counts(PRED2, GT2).tolist() == [[3, 9, 0], [0, 12, 3], [0, 12, 3]]


def test_scores_sum_counts_over_videos():
    # @10: (7, 10, 1) -> 200*7/25 = 56; @25 and @50: (4, 13, 4) -> 200*4/25 = 32 (actseg README)
    assert f1_scores([PRED1, PRED2], [GT1, GT2]) == pytest.approx([56.0, 32.0, 32.0])


def test_background_excluded_from_segments():
    # @10: (2,0,1) + (3,6,0) -> 200*5/17 = 58.82; @25: (2,0,1) + (0,9,3) -> 200*2/17 = 23.53
    scores = f1_scores([PRED1, PRED2], [GT1, GT2], background=(0,))
    assert scores == pytest.approx([58.8235294, 23.5294118, 23.5294118])


def test_over_segmentation_counts():
    gt = np.repeat([0, 1, 2], 10)
    pred = np.repeat([0, 1, 2, 1, 2], [10, 4, 2, 4, 10])
    assert f1_counts(pred, gt).tolist() == [[3, 2, 0], [3, 2, 0], [2, 3, 1]]
    assert f1_scores([pred], [gt]) == pytest.approx([75.0, 75.0, 50.0])


def test_last_segment_end_is_exclusive():
    # the pre-fix `ends.append(i)` would give the 1-frame last segment zero length: (0, 2, 1)
    assert f1_counts(np.array([2, 1]), np.array([1, 1]), overlaps=(0.5,)).tolist() == [[1, 1, 0]]


def test_second_prediction_on_a_hit_segment_is_a_false_positive():
    gt = np.array([1, 1, 1, 1, 1, 1])
    pred = np.array([1, 1, 1, 2, 1, 1])
    assert f1_counts(pred, gt, overlaps=(0.1,)).tolist() == [[1, 2, 0]]


def test_ground_truth_without_foreground_makes_predictions_false_positives():
    assert f1_counts(np.array([1, 1, 0, 2]), np.array([0, 0, 0, 0]), background=(0,)).tolist() == [[0, 2, 0]] * 3
    assert f1_counts(np.array([0, 0]), np.array([1, 1]), background=(0,)).tolist() == [[0, 0, 1]] * 3


def test_both_sides_without_foreground_add_no_counts():
    assert f1_counts(np.array([0, 0]), np.array([0, 0]), background=(0,)).tolist() == [[0, 0, 0]] * 3
    assert f1_from_counts(0, 0, 0) == 100.0
    assert f1_scores([np.array([0, 0]), PRED1], [np.array([0, 0]), GT1], background=(0,)) == pytest.approx(
        f1_scores([PRED1], [GT1], background=(0,))
    )


def test_f1_from_counts():
    assert f1_from_counts(0, 3, 2) == 0.0
    assert f1_from_counts(3, 1, 1) == pytest.approx(75.0)
