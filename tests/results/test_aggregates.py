import math

import numpy as np
import pytest

from results.aggregates import (
    average_incremental,
    backward_transfer,
    final_average,
    forgetting,
    seen_task_averages,
)
from tasks.errors import DataError

FORGETFUL = [
    [80.0, 10.0, 5.0],
    [60.0, 70.0, 0.0],
    [50.0, 40.0, 90.0],
]


def test_three_tasks_with_forgetting():
    assert final_average(FORGETFUL) == pytest.approx(60.0)  # (50 + 40 + 90) / 3
    assert seen_task_averages(FORGETFUL).tolist() == pytest.approx([80.0, 65.0, 60.0])
    assert average_incremental(FORGETFUL) == pytest.approx(205 / 3)
    assert forgetting(FORGETFUL) == pytest.approx(30.0)  # (80 - 50 + 70 - 40) / 2
    assert backward_transfer(FORGETFUL) == pytest.approx(-30.0)


def test_positive_backward_transfer_gives_negative_forgetting():
    r = np.array([[40.0, 0.0], [55.0, 70.0]])
    assert final_average(r) == pytest.approx(62.5)
    assert average_incremental(r) == pytest.approx(51.25)  # (40 + 62.5) / 2
    assert forgetting(r) == pytest.approx(-15.0)
    assert backward_transfer(r) == pytest.approx(15.0)


def test_run_stopped_early_uses_only_trained_tasks():
    r = [[70.0, 1.0, 2.0, 3.0], [30.0, 60.0, 5.0, 4.0]]  # 2 of 4 tasks trained
    assert final_average(r) == pytest.approx(45.0)
    assert seen_task_averages(r).tolist() == pytest.approx([70.0, 45.0])
    assert average_incremental(r) == pytest.approx(57.5)
    assert forgetting(r) == pytest.approx(40.0)
    assert backward_transfer(r) == pytest.approx(-40.0)


def test_unevaluated_future_tasks_do_not_change_the_aggregates():
    r = [[80.0, math.nan, math.nan], [60.0, 70.0, math.nan], [50.0, 40.0, 90.0]]
    assert final_average(r) == pytest.approx(60.0)
    assert average_incremental(r) == pytest.approx(205 / 3)
    assert forgetting(r) == pytest.approx(30.0)
    assert backward_transfer(r) == pytest.approx(-30.0)


def test_chaudhry_max_covers_every_earlier_row():
    # task 0 peaks after task 1 (90), not when it was trained (80): forgetting (90-60 + 70-50) / 2
    r = [[80.0, 0.0, 0.0], [90.0, 70.0, 0.0], [60.0, 50.0, 40.0]]
    assert forgetting(r) == pytest.approx(25.0)
    assert backward_transfer(r) == pytest.approx(-20.0)  # (60-80 + 50-70) / 2


def test_one_trained_task_has_no_forgetting_or_bwt():
    r = [[50.0, 0.0, 0.0]]
    assert final_average(r) == 50.0
    assert average_incremental(r) == 50.0
    assert math.isnan(forgetting(r)) and math.isnan(backward_transfer(r))


def test_missing_final_entry_propagates_nan():
    assert math.isnan(final_average([[80.0, 0.0], [math.nan, 70.0]]))


def test_bad_shapes_are_data_errors():
    with pytest.raises(DataError, match="3 training steps but only 2 tasks"):
        final_average(np.zeros((3, 2)))
    with pytest.raises(DataError, match="at least one row"):
        forgetting(np.zeros((0, 3)))
