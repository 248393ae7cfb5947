import contextlib
import io

import pytest
from tiny_config import tiny_config, write_config

from benchmarks.cli import main
from benchmarks.config import load_config, resolve_config
from benchmarks.orchestration.executors import ProcessPool, make_executor, slurm_cpus, slurm_parameters
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
    cfg = resolve_config({})
    assert make_executor("inline", tmp_path, cfg) is None
    assert isinstance(make_executor("inline", tmp_path, cfg, jobs=2), ProcessPool)
    with pytest.raises(DataError, match="--executor: expected one of inline, local, slurm"):
        make_executor("cloud", tmp_path, cfg)


def sbatch_lines(cfg: dict, timeout_min: int = 30) -> list[str]:
    """The #SBATCH lines submitit writes for the config's cluster section (without a cluster)."""
    from submitit.auto.auto import AutoExecutor
    from submitit.slurm.slurm import SlurmExecutor, _convert_mem, _make_sbatch_string

    params = slurm_parameters(cfg, timeout_min)
    generic = {key: value for key, value in params.items() if not key.startswith("slurm_")}
    specific = {key.removeprefix("slurm_"): value for key, value in params.items() if key.startswith("slurm_")}
    names = SlurmExecutor._equivalence_dict()
    converted = {names.get(key, key): value for key, value in generic.items()}
    converted["mem"] = _convert_mem(converted["mem"]) if "mem" in converted else None
    assert set(AutoExecutor._valid_parameters()) >= set(generic)
    text = _make_sbatch_string("python job.py", "/tmp/jobs", **{k: v for k, v in {**converted, **specific}.items()
                                                               if v is not None})
    return [line for line in text.splitlines() if line.startswith("#SBATCH")]


def test_the_cluster_section_becomes_the_sbatch_request():
    lines = sbatch_lines(resolve_config({"train": {"threads": 2}}))
    assert "#SBATCH --cpus-per-task=2" in lines  # from train.threads, not a fixed 4
    assert not [line for line in lines if "gpu" in line or "--mem" in line or "--partition" in line]
    assert "#SBATCH --signal=USR2@90" in lines and "#SBATCH --time=30" in lines
    cfg = resolve_config({"cluster": {"cpus_per_task": 3, "mem_gb": 1.5, "gpus": 1, "partition": "debug",
                                      "account": "lab", "qos": "short", "constraint": "a100",
                                      "signal_delay_s": 20, "extra": {"exclusive": True, "mail_type": "END",
                                                                      "requeue": False}}})
    lines = sbatch_lines(cfg)
    for line in ("--cpus-per-task=3", "--mem=1536MB", "--gpus-per-node=1", "--partition=debug", "--account=lab",
                 "--qos=short", "--constraint=a100", "--signal=USR2@20", "--exclusive", "--mail-type=END"):
        assert f"#SBATCH {line}" in lines, line
    assert not [line for line in lines if "requeue" in line]  # false: the option is left out
    assert slurm_cpus(resolve_config({})) == 1


def test_cluster_keys_come_from_set_and_are_checked():
    cfg = load_config(None, ["cluster.partition=gpu", "cluster.extra.nice=10", "cluster.mem_gb=8"])
    assert (cfg["cluster"]["partition"], cfg["cluster"]["extra"], cfg["cluster"]["mem_gb"]) == ("gpu", {"nice": 10}, 8)
    for override, message in [("cluster.mem_gb=-1", "'cluster.mem_gb' must be a positive number"),
                              ("cluster.gpus=-1", "'cluster.gpus' must be an integer >= 0"),
                              ("cluster.extra=[1]", "'cluster.extra' must be a mapping of sbatch option names"),
                              ("cluster.qos=3", "'cluster.qos' must be a name or null")]:
        with pytest.raises(DataError, match=message):
            load_config(None, [override])
