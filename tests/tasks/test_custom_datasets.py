"""data.dataset custom: activities from a file or a regex; folder-name inference for `itas check`."""
import pytest

from tasks.datasets import custom_convention, infer_dataset, read_activities
from tasks.errors import DataError


def test_activities_file_maps_videos_with_or_without_txt(tmp_path):
    path = tmp_path / "activities.txt"
    path.write_text("# video activity\ncase001 suturing\n\ncase002.txt knot_tying\n")
    assert read_activities(path) == {"case001": "suturing", "case002": "knot_tying"}
    convention = custom_convention(activities=path)
    assert convention.activity_of("case002") == "knot_tying" and convention.sample_rate == 1
    with pytest.raises(DataError, match=r"activities.txt: no activity for video 'case003'"):
        convention.activity_of("case003")


@pytest.mark.parametrize("text, message", [
    ("case001 suturing extra\n", r"activities.txt:1: expected '<video> <activity>', got 'case001 suturing extra'"),
    ("a x\na y\n", r"activities.txt:2: video 'a' listed twice"),
    ("# nothing\n", r"activities.txt: no '<video> <activity>' lines"),
])
def test_a_bad_activities_file_is_one_line_naming_file_and_line(tmp_path, text, message):
    path = tmp_path / "activities.txt"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        read_activities(path)


def test_activity_pattern_takes_its_one_group():
    convention = custom_convention(activity_pattern=r"^(Suturing|Knot_Tying|Needle_Passing)_[A-I]\d{3}$")
    assert convention.activity_of("Knot_Tying_B001") == "Knot_Tying"
    with pytest.raises(DataError, match=r"video 'Peg_B001': does not match data.activity_pattern"):
        convention.activity_of("Peg_B001")


@pytest.mark.parametrize("kwargs, message", [
    ({"activity_pattern": r"^\w+$"}, "needs exactly one capture group, has 0"),
    ({"activity_pattern": r"(("}, "is not a valid regex"),
    ({}, "needs exactly one of data.activities"),
    ({"activities": "a.txt", "activity_pattern": "(x)"}, "needs exactly one of data.activities"),
])
def test_bad_custom_settings(kwargs, message):
    with pytest.raises(DataError, match=message):
        custom_convention(**kwargs)


@pytest.mark.parametrize("folder, dataset", [
    ("data/breakfast", "breakfast"), ("data/50salads", "50salads"), ("/x/GTEA", "gtea"),
    ("data/Breakfast_i3d", "breakfast"), ("data/jigsaws", None), ("data", None),
])
def test_infer_dataset_from_the_folder_name(folder, dataset):
    assert infer_dataset(folder) == dataset
