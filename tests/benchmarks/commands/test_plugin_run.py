"""A memory from outside itas run end to end through `itas run`: the docs' example package
(tests/plugins/example_memory), found once through its entry point and once through a dotted path,
its bytes in memory.csv."""
import re
from pathlib import Path

import pandas as pd
import pytest
from itas_cli import itas_run
from tiny_config import tiny_config, write_config

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

pytestmark = pytest.mark.usefixtures("itas_cache")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "tests" / "plugins" / "example_memory"
TUTORIAL = ROOT / "docs" / "extending" / "your-memory.md"
DIM = 16  # tiny_config's feature size


def install_metadata(site: Path, pyproject: Path) -> None:
    """The `*.dist-info` folder `pip install` would write for `pyproject`, on a folder of sys.path:
    importlib.metadata finds the entry points there, as it does for an installed package."""
    project = tomllib.loads(pyproject.read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    lines = [f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
             for group, points in project["entry-points"].items()]
    (info / "entry_points.txt").write_text("\n".join(lines))


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory):
    """`strided` through the entry point (stride 4) and the same class through its dotted path
    (stride 1), on two tasks with 4 videos kept: the same seed selects the same videos for both."""
    folder = tmp_path_factory.mktemp("plugins")
    install_metadata(folder / "site", EXAMPLE / "pyproject.toml")
    strategies = ["strided",
                  {"name": "strided_memory:StridedMemory", "label": "strided-dotted", "params": {"stride": 1}}]
    config = write_config(folder / "plugins.yaml", tiny_config(
        strategies=strategies, protocol={"tasks": 2, "seeds": [42]}, budgets=[{"videos": 4}]))
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE))
        patch.syspath_prepend(str(folder / "site"))
        code, stdout, stderr = itas_run(config, folder / "out")
    assert code == 0, stderr
    return folder / "out"


def test_an_outside_memory_runs_end_to_end_with_its_bytes_in_memory_csv(plugin_run):
    memory = pd.read_csv(plugin_run / "memory.csv")
    features = memory[memory.component == "features"].set_index(["strategy", "after_task", "task"])
    transcripts = memory[memory.component == "transcripts"].set_index(["strategy", "after_task", "task"])
    for after, task, videos in [(0, 0, 4), (1, 0, 2), (1, 1, 2)]:  # 4 videos shared by the tasks seen
        dotted, strided = features.loc[("strided-dotted", after, task)], features.loc[("strided", after, task)]
        assert dotted.videos == strided.videos == videos and dotted.frames == strided.frames > 0
        assert dotted.bytes == dotted.frames * DIM * 2  # stride 1: every frame, float16
        # stride 4: ceil(T / 4) float16 rows per kept video
        assert strided.frames * DIM * 2 / 4 <= strided.bytes <= (strided.frames + 3 * videos) * DIM * 2 / 4
        assert transcripts.loc[("strided", after, task)].bytes == transcripts.loc[("strided-dotted", after, task)].bytes > 0
    assert set(memory.component) == {"features", "codes", "transcripts", "decoders", "noise", "other"}
    metrics = pd.read_csv(plugin_run / "metrics.csv")
    assert set(metrics.strategy) == {"strided", "strided-dotted"}
    assert set(metrics.budget) == {"videos=4"}


def test_the_tutorial_includes_this_example_and_shows_the_rows_it_wrote(plugin_run):
    """docs/extending/your-memory.md includes the example's files as they are (pymdownx.snippets;
    the strict docs build fails on a missing one) and quotes memory.csv rows of this run."""
    page = TUTORIAL.read_text()
    for name in ("strided_memory.py", "pyproject.toml"):
        assert f'--8<-- "tests/plugins/example_memory/{name}"' in page
    quoted = re.findall(r"^\| (strided[-a-z]*) \(stride \d\) \| videos=4 \| (\d) \| (\d) \| (\w+) \| (\d+) \| (\d+) \| (\d+) \|$",
                        page, re.MULTILINE)
    assert len(quoted) == 4
    memory = pd.read_csv(plugin_run / "memory.csv").set_index(["strategy", "after_task", "task", "component"])
    for label, after, task, component, *values in quoted:
        row = memory.loc[(label, int(after), int(task), component)]
        assert [row.bytes, row.videos, row.frames] == [int(value) for value in values]
