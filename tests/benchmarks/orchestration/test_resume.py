"""Resuming into an existing folder: only runs of the same config are reused, orphaned temporary
files are removed, checkpoints of finished runs are removed unless kept, SLURM jobs requeue."""
import pytest
import submitit
from itas_cli import itas_run, run_cli
from tiny_config import tiny_config, write_config

from benchmarks.orchestration.jobs import RunJob

pytestmark = pytest.mark.usefixtures("itas_cache")

CFG = {"strategies": ["finetune"], "budgets": [{"videos": 4}]}


@pytest.fixture
def finished(tmp_path):
    config = write_config(tmp_path / "a.yaml", tiny_config(**CFG))
    code, _, stderr = itas_run(config, tmp_path / "out")
    assert code == 0, stderr
    return tmp_path / "out"


def test_resume_with_another_config_names_the_keys_that_differ(finished, tmp_path):
    changed = write_config(tmp_path / "b.yaml", tiny_config(**CFG, train={"epochs": 2, "batch_size": 4}))
    before = (finished / "metrics.csv").read_bytes()
    code, _, stderr = itas_run(changed, finished)
    assert code == 2 and stderr.count("\n") == 1
    assert stderr.startswith(f"itas run: error: {finished / 'runs' / 'finetune__none__seed42.json'}: made with a "
                             "different config (train.epochs: 1 -> 2); use --force-new")
    assert (finished / "metrics.csv").read_bytes() == before
    assert "epochs: 1" in (finished / "config.yaml").read_text()

    code, stdout, stderr = run_cli("run", str(changed), "--out", str(finished), "--device", "cpu", "--no-progress",
                                   "--jobs", "1", "--force-new")
    assert code == 0, stderr
    assert "finetune__none__seed42: recorded with another config, started afresh (--force-new)" in stdout
    assert "epochs: 2" in (finished / "config.yaml").read_text()
    assert (finished / "metrics.csv").read_bytes() != before


def test_orphaned_temp_files_are_removed_and_checkpoints_of_finished_runs_too(finished):
    assert not (finished / "checkpoints").exists()  # emptied and removed once the run is recorded
    orphans = [finished / ".itas-tmp.curve_acc.png.k2j3.png", finished / "runs" / ".itas-tmp.x.json.abc.json"]
    for orphan in orphans:
        orphan.write_bytes(b"")
    code, stdout, stderr = itas_run(finished / ".." / "a.yaml", finished)
    assert code == 0, stderr
    assert not any(orphan.exists() for orphan in orphans)
    assert stdout.count("(left by an interrupted write)") == 2 and "already recorded, skipped" in stdout


def test_kept_checkpoints(tmp_path):
    config = write_config(tmp_path / "k.yaml", tiny_config(**CFG, output={"keep_checkpoints": True}))
    code, _, stderr = itas_run(config, tmp_path / "out")
    assert code == 0, stderr
    assert [p.name for p in (tmp_path / "out" / "checkpoints").iterdir()] == ["finetune__none__seed42.ckpt"]


def test_a_preempted_slurm_job_requeues_itself_with_the_same_run():
    job = RunJob()
    args = ({"train": {}}, "out", "run", "cuda", False)
    again = job.checkpoint(*args)
    assert isinstance(again, submitit.helpers.DelayedSubmission)
    assert again.function is job and again.args == args
