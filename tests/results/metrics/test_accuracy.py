import numpy as np
import pytest

from results.metrics.accuracy import accuracy, frame_counts
from tasks.errors import DataError

PRED1 = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0])
GT1 = np.array([0, 0, 1, 1, 2, 1, 1, 0, 0])
PRED2 = np.array([1, 2, 3, 0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0])
GT2 = np.array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3])


def test_frame_counts_per_video():
    assert frame_counts(PRED1, GT1) == (6, 9)
    assert frame_counts(PRED2, GT2) == (3, 18)


def test_accuracy_pools_frames_over_videos():
    # 9 correct of 27 frames, not the mean of 66.7 % and 16.7 %
    assert accuracy([PRED1, PRED2], [GT1, GT2]) == pytest.approx(100 / 3)


def test_accuracy_on_string_labels():
    assert accuracy([np.array(["a", "b", "b", "c"])], [np.array(["a", "b", "c", "c"])]) == 75.0


def test_length_mismatch_is_a_data_error():
    with pytest.raises(DataError, match="3 frames but ground truth has 2"):
        frame_counts(np.array([1, 1, 1]), np.array([1, 1]))


def test_mixed_label_kinds_are_rejected():
    with pytest.raises(DataError, match="ground truth labels"):
        frame_counts(np.array(["1", "2"]), np.array([1, 2]))


def test_no_frames_at_all_is_an_error():
    with pytest.raises(DataError, match="at least one frame"):
        accuracy([np.array([], dtype=int)], [np.array([], dtype=int)])
