import numpy as np
import pytest

from results.metrics import METRICS, segmentation_scores
from tasks.errors import DataError

PRED1 = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0])
GT1 = np.array([0, 0, 1, 1, 2, 1, 1, 0, 0])
PRED2 = np.array([1, 2, 3, 0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0])
GT2 = np.array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3])


def test_keys_and_numbers_of_the_readme_example():
    scores = segmentation_scores([PRED1, PRED2], [GT1, GT2])
    assert tuple(scores) == METRICS == ("acc", "edit", "f1@10", "f1@25", "f1@50")
    assert list(scores.values()) == pytest.approx([100 / 3, 52.5, 56.0, 32.0, 32.0])


def test_background_affects_edit_and_f1_but_not_acc():
    scores = segmentation_scores([PRED1, PRED2], [GT1, GT2], background=(0,))
    assert list(scores.values()) == pytest.approx([100 / 3, 50.0, 1000 / 17, 400 / 17, 400 / 17])


def test_string_labels_give_the_same_numbers():
    names = np.array(["bg", "a", "b", "c"])
    scores = segmentation_scores([names[PRED1], names[PRED2]], [names[GT1], names[GT2]], background=("bg",))
    assert list(scores.values()) == pytest.approx([100 / 3, 50.0, 1000 / 17, 400 / 17, 400 / 17])


def test_no_videos_and_count_mismatch_are_data_errors():
    with pytest.raises(DataError, match="no videos"):
        segmentation_scores([], [])
    with pytest.raises(DataError, match="1 predictions for 2"):
        segmentation_scores([PRED1], [GT1, GT2])
