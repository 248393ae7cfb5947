import contextlib
import io

import pytest
from tiny_config import tiny_config, write_config

from benchmarks.cli import main
from benchmarks.orchestration.executors import ProcessPool, make_executor
from tasks.errors import DataError

pytestmark = pytest.mark.usefixtures("itas_cache")


def _run(config, out, jobs: int, executor: str = "inline", progress: bool = False) -> str:
    with contextlib.redirect_stdout(io.StringIO()) as stdout, contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", str(config), "--out", str(out), "--device", "cpu", "--jobs", str(jobs),
                     "--executor", executor, *([] if progress else ["--no-progress"])]) == 0
    return stdout.getvalue()


@pytest.mark.slow  # ~50 s on 2 cores: three spawned interpreters (pytest -m slow)
def test_parallel_jobs_and_submitit_give_the_same_tables_as_one_process(tmp_path):
    cfg = tiny_config(strategies=["finetune", "mean"], budgets=[{"videos": 5}], train={"epochs": 1, "batch_size": 4, "threads": 1})
    config = write_config(tmp_path / "tiny.yaml", cfg)
    _run(config, tmp_path / "serial", jobs=1)
    stdout = _run(config, tmp_path / "pool", jobs=2, progress=True)  # children write progress files
    assert "finetune__none__seed42: submitted as job process 0" in stdout
    assert not (tmp_path / "pool" / "progress").exists()  # removed as the runs finished
    assert "mean__videos=5__seed42: done in" in stdout
    _run(config, tmp_path / "submitit", jobs=1, executor="local")
    for table in ("metrics.csv", "memory.csv", "summary.csv"):
        assert (tmp_path / "pool" / table).read_bytes() == (tmp_path / "serial" / table).read_bytes()
        assert (tmp_path / "submitit" / table).read_bytes() == (tmp_path / "serial" / table).read_bytes()


def test_executor_kinds(tmp_path):
    assert make_executor("inline", tmp_path) is None
    assert isinstance(make_executor("inline", tmp_path, jobs=2), ProcessPool)
    with pytest.raises(DataError, match="--executor: expected one of inline, local, slurm"):
        make_executor("cloud", tmp_path)
