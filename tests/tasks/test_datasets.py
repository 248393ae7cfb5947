import numpy as np
import pytest

from tasks.datasets import CONVENTIONS, load_dataset
from tasks.errors import DataError
from tasks.mstcn import write_dataset


def folder(root, names, actions=("background", "take", "put"), length=6):
    videos = [(n, np.ones((length, 2), np.float32) * i, np.array([0, 1, 1, 2, 2, 0][:length]))
              for i, n in enumerate(names)]
    write_dataset(root, list(actions), videos,
                  {"train.split1": names[:-1], "test.split1": names[-1:]})
    return root


def test_activity_conventions():
    assert CONVENTIONS["breakfast"].activity_of("P03_cam01_P03_cereals") == "cereals"
    assert CONVENTIONS["gtea"].activity_of("S1_Cheese_C1") == "Cheese"
    assert CONVENTIONS["50salads"].activity_of("rgb-01-1") == "salad"


def test_gtea_dataset(tmp_path):
    data = load_dataset(folder(tmp_path / "g", ["S1_Cheese_C1", "S2_Tea_C1", "S3_Cheese_C1"]),
                        "gtea", background=["background"])
    assert data.activities == ["Cheese", "Tea"]
    assert data.actions == ["background", "take", "put"]
    assert data.background == ("background",)
    assert [v.activity for v in data.test] == ["Cheese"]
    assert data.train[0].num_frames == 6


def test_50salads_defaults_to_every_second_frame(tmp_path):
    root = folder(tmp_path / "s", ["rgb-01-1", "rgb-02-1"])
    assert load_dataset(root, "50salads").train[0].num_frames == 3
    assert load_dataset(root, "50salads", sample_rate=1).train[0].num_frames == 6


def test_errors_name_the_key(tmp_path):
    root = folder(tmp_path / "g", ["S1_Cheese_C1", "S2_Tea_C1"])
    with pytest.raises(DataError, match="dataset: expected one of"):
        load_dataset(root, "ucf")
    with pytest.raises(DataError, match=r"background: \['SIL'\] not in"):
        load_dataset(root, "gtea", background=["SIL"])
    with pytest.raises(DataError, match="needs '_'-separated tokens"):
        load_dataset(folder(tmp_path / "b", ["video1", "video2"]), "breakfast")
