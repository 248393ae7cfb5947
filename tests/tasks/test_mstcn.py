import errno
import os
import stat
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import tasks.mstcn
from tasks.errors import DataError
from tasks.mstcn import read_mapping, read_split, write_dataset

ACTIONS = ["SIL", "take_bowl", "pour_milk"]


def activity_of(name: str) -> str:
    return name.split("_")[-1]


def tiny(root, lengths=(6, 5, 4)):
    """Three videos: two train, one test; features[t, d] = 10 * t + d so slicing is checkable."""
    videos, names = [], []
    for i, length in enumerate(lengths):
        name = f"P{i + 3:02d}_cam01_P{i + 3:02d}_cereals"
        features = (10 * np.arange(length)[:, None] + np.arange(3)[None, :] + i / 10).astype(np.float32)
        labels = np.array([0] + [1] * (length - 2) + [2])
        videos.append((name, features, labels))
        names.append(name)
    write_dataset(root, ACTIONS, videos, {"train.split1": names[:2], "test.split1": names[2:]})
    return videos


def test_round_trip_transposes_and_keeps_labels(tmp_path):
    root = tmp_path / "d"
    written = tiny(root)
    assert np.load(root / "features" / f"{written[0][0]}.npy").shape == (3, 6)  # (D, T) on disk
    assert (root / "groundTruth" / f"{written[0][0]}.txt").read_text() == (
        "SIL\ntake_bowl\ntake_bowl\ntake_bowl\ntake_bowl\npour_milk\n")
    data = read_split(root, 1, activity_of)
    assert data.actions == ACTIONS
    assert [v.name for v in data.train] == [written[0][0], written[1][0]]
    assert [v.name for v in data.test] == [written[2][0]]
    for video, (name, features, labels) in zip(data.train + data.test, written):
        assert video.activity == "cereals"
        np.testing.assert_array_equal(video.features, features)
        np.testing.assert_array_equal(video.labels, labels)
        assert video.features.dtype == np.float32 and video.labels.dtype == np.int64


def test_sample_rate_takes_every_kth_frame(tmp_path):
    tiny(tmp_path / "d")
    video = read_split(tmp_path / "d", 1, activity_of, sample_rate=2).train[0]
    np.testing.assert_array_equal(video.features[:, 0], [0.0, 20.0, 40.0])
    np.testing.assert_array_equal(video.labels, [0, 1, 1])


def test_small_length_mismatch_is_cut_with_one_warning(tmp_path):
    root = tmp_path / "d"
    written = tiny(root)
    for name, features, _ in written[:2]:  # two extra feature frames in two videos
        padded = np.concatenate([features, features[-2:]])
        np.save(root / "features" / f"{name}.npy", padded.T)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = read_split(root, 1, activity_of)
    assert len(caught) == 1 and "2 videos" in str(caught[0].message)
    assert data.train[0].num_frames == 6 and data.train[1].num_frames == 5


def corrupt_cases(root, written):
    name = written[0][0]
    return {
        "missing feature": (lambda: (root / "features" / f"{name}.npy").unlink(), f"{name}.npy"),
        "missing groundTruth": (lambda: (root / "groundTruth" / f"{name}.txt").unlink(), f"{name}.txt"),
        "label not in mapping": (
            lambda: (root / "groundTruth" / f"{name}.txt").write_text("SIL\ntake_bowl\nstir\n"),
            "line 3: label 'stir'"),
        "length mismatch": (
            lambda: np.save(root / "features" / f"{name}.npy", np.zeros((3, 10), np.float32)),
            f"{name}.npy: 10 feature frames but 6 labels"),
        "nan": (lambda: np.save(root / "features" / f"{name}.npy",
                                np.full((3, 6), np.nan, np.float32)), "NaN or inf"),
        "inf": (lambda: np.save(root / "features" / f"{name}.npy",
                                np.full((3, 6), np.inf, np.float32)), "NaN or inf"),
        "rank": (lambda: np.save(root / "features" / f"{name}.npy", np.zeros((3, 6, 1))),
                 "expected a 2-d (D, T) array"),
        "dimension": (lambda: np.save(root / "features" / f"{name}.npy", np.zeros((4, 6))),
                      f"{name}.npy: feature dimension 4, but 2 of 3 videos have 3"),
        "empty split": (lambda: (root / "splits" / "test.split1.bundle").write_text(""),
                        "test.split1.bundle: empty split"),
        "mapping line": (lambda: (root / "mapping.txt").write_text("0 SIL\n1take_bowl\n"),
                         "mapping.txt line 2"),
        "mapping ids": (lambda: (root / "mapping.txt").write_text("0 SIL\n2 take_bowl\n"),
                        "ids must be 0..1"),
        "missing mapping": (lambda: (root / "mapping.txt").unlink(), "mapping.txt: mapping file not found"),
        "missing splits": (lambda: [p.unlink() for p in (root / "splits").iterdir()]
                           and (root / "splits").rmdir(), "splits: splits folder not found"),
        "missing split k": (lambda: (root / "splits" / "train.split1.bundle").unlink(),
                            "train.split1.bundle: split file not found"),
    }


CASES = list(corrupt_cases(None, [("v", None, None)]))


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_data_error_naming_the_file(tmp_path, case):
    root = tmp_path / "d"
    corrupt, expected = corrupt_cases(root, tiny(root))[case]
    corrupt()
    with pytest.raises(DataError) as err:
        read_split(root, 1, activity_of)
    message = str(err.value)
    assert expected in message and "\n" not in message


def test_read_mapping_orders_by_id(tmp_path):
    (tmp_path / "mapping.txt").write_text("1 b\n0 a\n\n2 c\n")
    assert read_mapping(tmp_path / "mapping.txt") == ["a", "b", "c"]


def test_write_refuses_non_empty_output_and_leaves_no_temp_folder(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    (root / "keep.txt").write_text("x")
    with pytest.raises(DataError, match="not an empty folder"):
        tiny(root)

    def failing():
        yield "v", np.zeros((2, 3), np.float32), np.array([0, 0])
        raise RuntimeError("generator failed")

    with pytest.raises(RuntimeError):
        write_dataset(tmp_path / "e", ACTIONS, failing(), {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_the_written_folder_gets_the_users_normal_permissions(tmp_path):
    """Written through a private temporary folder (mkdtemp: 0700), the result gets 0777 - umask."""
    old = os.umask(0o027)
    try:
        tiny(tmp_path / "d")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o750


def test_a_full_disk_is_one_line_naming_the_output_and_leaves_nothing(tmp_path, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", no_space)
    with pytest.raises(DataError, match=f"^{tmp_path / 'd'}: cannot write \\(No space left on device\\)$"):
        tiny(tmp_path / "d")
    assert not list(tmp_path.iterdir())


def test_a_video_name_that_is_a_path_is_never_written(tmp_path):
    with pytest.raises(DataError, match="name '../v' is not a plain file name"):
        write_dataset(tmp_path / "d", ACTIONS, [("../v", np.zeros((2, 3), np.float32), np.array([0, 0]))], {})
    assert not list(tmp_path.iterdir())


def test_features_larger_than_the_memory_available_are_refused_before_loading(tmp_path, monkeypatch):
    tiny(tmp_path / "d")
    monkeypatch.setattr(tasks.mstcn.psutil, "virtual_memory", lambda: SimpleNamespace(available=100))
    with pytest.raises(DataError, match=r"\.npy: shape \(3, 6\) of float32 needs 0\.0 GiB, more than the 0\.0 GiB"):
        read_split(tmp_path / "d", 1, activity_of)
