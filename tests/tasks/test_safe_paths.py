"""Names read from files are plain file names, and output paths stay inside their folder."""
import pytest

from tasks.errors import DataError
from tasks.safe_paths import check_name, inside


@pytest.mark.parametrize("name", ["P03_cam01_P03_cereals", "case 001", "café", "...", "a..b", "-x"])
def test_plain_names_pass(name):
    assert check_name(name, "bundle") == name


@pytest.mark.parametrize("name, problem", [
    ("", "empty"), ("  ", "empty"), ("/etc/passwd", "contains a path separator"),
    ("../x", "contains a path separator"), ("a\\b", "contains a path separator"), ("..", "a relative folder"),
    (".", "a relative folder"), ("a\nb", "contains a control or invisible"), ("a\x1bb", "contains a control or invisible"),
    ("a\u200bb", "contains a control or invisible"), ("x" * 256, "longer than 255 bytes"),
])
def test_names_that_are_paths_or_break_a_line_are_refused(name, problem):
    with pytest.raises(DataError, match=f"^bundle line 3: name .* is not a plain file name \\({problem}"):
        check_name(name, "bundle line 3")


def test_a_name_must_be_text():
    with pytest.raises(DataError, match="^m.pt: name 3 must be text, got int$"):
        check_name(3, "m.pt")


def test_inside(tmp_path):
    assert inside(tmp_path, tmp_path / "a" / "b.txt") == (tmp_path / "a" / "b.txt").resolve()
    assert inside(tmp_path, tmp_path) == tmp_path.resolve()
    (tmp_path / "link").symlink_to("/tmp")
    for escaped in (tmp_path / ".." / "x", tmp_path / "link" / "x", "/etc/x"):
        with pytest.raises(DataError, match="would be written outside its output folder"):
            inside(tmp_path, escaped)
