"""Finding outside code: dotted paths and entry points (a temporary *.dist-info on sys.path, which is
how importlib.metadata finds an installed package's entry points), and the one-line errors."""
import pytest

from tasks.errors import DataError
from tasks.plugins import find_plugin, installed, is_dotted


def dist_info(site, name: str, entry_points: str) -> None:
    info = site / f"{name}-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0\n")
    (info / "entry_points.txt").write_text(entry_points)


def test_a_dotted_path_imports_the_object():
    plugin = find_plugin("itas.memories", "replay.exemplars:OriginalMemory")
    from replay.exemplars import OriginalMemory
    assert (plugin.obj, plugin.source, plugin.target) == (OriginalMemory, "dotted path", "replay.exemplars:OriginalMemory")
    assert is_dotted("a.b:C") and not is_dotted("original")


def test_an_entry_point_is_found_by_its_group_and_name(tmp_path, monkeypatch):
    dist_info(tmp_path, "one", "[itas.backbones]\ntiny = tasks.video:Video\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugin = find_plugin("itas.backbones", "tiny")
    assert (plugin.name, plugin.source, plugin.target) == ("tiny", "entry point itas.backbones", "tasks.video:Video")
    assert find_plugin("itas.memories", "tiny") is None  # another group
    assert find_plugin("itas.backbones", "other") is None
    assert "tiny" in installed("itas.backbones")


def test_a_name_declared_by_two_packages_is_an_error(tmp_path, monkeypatch):
    dist_info(tmp_path, "one", "[itas.memories]\ntwin = tasks.video:Video\n")
    dist_info(tmp_path, "two", "[itas.memories]\ntwin = tasks.video:segments\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(DataError, match=r"^plugin 'twin': entry point itas.memories declared more than once "
                                        r"\(tasks.video:Video, tasks.video:segments\)$"):
        find_plugin("itas.memories", "twin")


@pytest.mark.parametrize("name, message", [
    ("tasks.video:", r"^plugin 'tasks.video:': expected 'package.module:Object'$"),
    (":Video", r"^plugin ':Video': expected 'package.module:Object'$"),
    ("tasks.video:Video.nope", r"^plugin 'tasks.video:Video.nope': 'tasks.video' has no attribute 'Video.nope'$"),
    ("tasks.not_here:X", r"^plugin 'tasks.not_here:X': cannot import module 'tasks.not_here' \(ModuleNotFoundError: "),
])
def test_a_bad_dotted_path_is_one_line_naming_it(name, message):
    with pytest.raises(DataError, match=message):
        find_plugin("itas.memories", name)
