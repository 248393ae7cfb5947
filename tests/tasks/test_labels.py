import numpy as np
import pytest

from tasks.datasets import ActionDataset
from tasks.errors import DataError
from tasks.labels import build_label_space
from tasks.video import Video

ACTIONS = ["SIL", "pour_milk", "take_bowl", "take_cup", "stir_tea"]  # stir_tea never observed


def video(name, activity, labels):
    return Video(name, activity, np.zeros((len(labels), 2), np.float32), np.array(labels))


@pytest.fixture
def dataset():
    train = [video("P05_cereals", "cereals", [0, 2, 1, 0]), video("P05_coffee", "coffee", [0, 3, 0])]
    test = [video("P03_coffee", "coffee", [0, 1, 0])]  # pour_milk in coffee only in test
    return ActionDataset("breakfast", None, ACTIONS, train, test, (), ["cereals", "coffee"])


def test_disjoint_classes_by_activity_then_mapping_id(dataset):
    space = build_label_space(dataset, "disjoint")
    assert space.classes == ["cereals/SIL", "cereals/pour_milk", "cereals/take_bowl",
                             "coffee/SIL", "coffee/pour_milk", "coffee/take_cup"]
    np.testing.assert_array_equal(space.encode(dataset.train[0]).labels, [0, 2, 1, 0])
    np.testing.assert_array_equal(space.encode(dataset.test[0]).labels, [3, 4, 3])
    assert space.background_ids(["SIL"]) == [0, 3]
    assert space.background_ids(["coffee/SIL"]) == [3]
    assert space.classes_of(["coffee"]) == [3, 4, 5]


def test_blurry_classes_are_the_observed_mapping_labels(dataset):
    space = build_label_space(dataset, "blurry")
    assert space.classes == ["SIL", "pour_milk", "take_bowl", "take_cup"]
    np.testing.assert_array_equal(space.encode(dataset.train[1]).labels, [0, 3, 0])
    assert space.background_ids(["SIL"]) == [0]
    assert space.classes_of(["coffee"]) == [0, 1, 3]
    assert space.classes_of(["cereals", "coffee"]) == [0, 1, 2, 3]


def test_encode_does_not_touch_the_input(dataset):
    original = dataset.test[0].labels.copy()
    build_label_space(dataset, "disjoint").encode(dataset.test[0])
    np.testing.assert_array_equal(dataset.test[0].labels, original)


def test_errors(dataset):
    space = build_label_space(dataset, "disjoint")
    with pytest.raises(DataError, match="labels: expected one of"):
        build_label_space(dataset, "overlapping")
    with pytest.raises(DataError, match="'stir_tea'"):
        space.encode(video("x_coffee", "coffee", [0, 4]))
    with pytest.raises(DataError, match="activity 'tea'"):
        space.encode(video("x_tea", "tea", [0]))
    with pytest.raises(DataError, match="'background'"):
        space.background_ids(["background"])


def test_procedural_counts_match_real_breakfast(quick_dataset):
    disjoint = build_label_space(quick_dataset, "disjoint")
    blurry = build_label_space(quick_dataset, "blurry")
    assert disjoint.num_classes == 84 and blurry.num_classes == 48
    per_activity = {a: len(ids) for a, ids in disjoint.activity_classes.items()}
    assert per_activity == {"cereals": 5, "coffee": 7, "friedegg": 9, "juice": 8, "milk": 5,
                            "pancake": 14, "salat": 8, "sandwich": 9, "scrambledegg": 12, "tea": 7}
    assert len(disjoint.background_ids(["SIL"])) == 10
