import pytest

from tasks.errors import DataError
from tasks.splits import group_activities, task_order

BREAKFAST = ["tea", "cereals", "coffee", "friedegg", "juice", "milk", "pancake", "salat",
             "sandwich", "scrambledegg"]


def test_seed_42_gives_the_order_of_the_tca_paper_figure_5():
    # Ding et al. CVPR 2024, Fig. 5: sandwich → juice → friedegg → ... → cereal → coffee.
    assert task_order(BREAKFAST, 42) == ["sandwich", "juice", "friedegg", "scrambledegg", "pancake",
                                         "salat", "tea", "milk", "cereals", "coffee"]


def test_other_protocol_seeds():
    assert task_order(BREAKFAST, 123)[:3] == ["scrambledegg", "sandwich", "pancake"]
    assert task_order(BREAKFAST, 2023)[:3] == ["coffee", "cereals", "juice"]


def test_five_tasks_are_consecutive_pairs():
    order = task_order(BREAKFAST, 42)
    assert group_activities(order, 5) == [["sandwich", "juice"], ["friedegg", "scrambledegg"],
                                          ["pancake", "salat"], ["tea", "milk"],
                                          ["cereals", "coffee"]]
    assert group_activities(order, 10)[0] == ["sandwich"]
    assert group_activities(order, 1) == [order]


@pytest.mark.parametrize("n_tasks", [3, 0, 11, "5"])
def test_non_divisor_rejected(n_tasks):
    with pytest.raises(DataError, match="tasks: expected a positive divisor of the 10 activities"):
        group_activities(BREAKFAST, n_tasks)
