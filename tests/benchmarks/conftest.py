import pytest
from tiny_config import tiny_config, write_config

from benchmarks.cli import main


@pytest.fixture(scope="session")
def itas_cache(tmp_path_factory):
    """$ITAS_CACHE in a session tmp folder, so procedural datasets never come from a user's cache
    (and are generated once for every test that asks for the same parameters)."""
    folder = tmp_path_factory.mktemp("itas_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ITAS_CACHE", str(folder))
        yield folder



@pytest.fixture(scope="session")
def inspected_run(tmp_path_factory, itas_cache):
    """A tiny two-task run of finetune and mean that keeps everything there is to inspect: predictions
    after every task and the memories (shared by the predictions and pictures tests)."""
    folder = tmp_path_factory.mktemp("inspected")
    cfg = tiny_config(strategies=["finetune", "mean"], protocol={"tasks": 2, "seeds": [42]},
                      budgets=[{"videos": 4}], output={"save_predictions": "all", "save_memories": True})
    code = main(["run", str(write_config(folder / "tiny.yaml", cfg)), "--out", str(folder / "out"),
                 "--device", "cpu", "--no-progress", "--jobs", "1"])
    assert code == 0
    return folder / "out"
