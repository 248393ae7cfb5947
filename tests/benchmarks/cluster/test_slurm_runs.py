"""`itas run --executor slurm` and `itas status` against a real SLURM: a one-node cluster started by
`bash benchmarks/cluster/local_slurm.sh test` in CI, or any SLURM that answers (skipped where none
does). Each test runs a tiny config and compares the tables with one process's (`--jobs 1`)."""
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from itas_cli import run_cli
from slurm_jobs import itas, job_of, queue, same_tables, task_of, wait_for
from tiny_config import tiny_config, write_config

from benchmarks.orchestration.ledger import read_ledger

pytestmark = [pytest.mark.slurm, pytest.mark.usefixtures("itas_cache")]

TRAIN = {"batch_size": 4, "threads": 1}
PAIR = {"strategies": ["finetune", "mean"], "budgets": [{"videos": 5}]}
SLURM = ("--device", "cpu", "--executor", "slurm")


def config(tmp_path: Path, epochs: int, **sections) -> Path:
    return write_config(tmp_path / "tiny.yaml", tiny_config(train={"epochs": epochs, **TRAIN}, **sections))


def one_process(config: Path, out: Path) -> Path:
    code, _, stderr = run_cli("run", str(config), "--out", str(out), "--device", "cpu", "--jobs", "1", "--no-progress")
    assert code == 0, stderr
    return out


def test_a_sweep_is_one_job_array_with_live_progress_and_the_tables_of_one_process(tmp_path, slurm):
    cfg = config(tmp_path, 30, **PAIR)
    code, stdout, stderr = run_cli("run", str(cfg), "--out", str(tmp_path / "slurm"), *SLURM)
    assert code == 0, stderr
    jobs = re.findall(r"submitted as job (\d+)_(\d)", stdout)
    assert len(jobs) == 2 and jobs[0][0] == jobs[1][0]  # one array, two tasks
    [script] = (tmp_path / "slurm" / "jobs").glob("*_submission.sh")
    request = script.read_text()
    assert "#SBATCH --array=0-1" in request and "#SBATCH --cpus-per-task=1" in request and "gpu" not in request
    # the parent's bars, fed by the jobs' progress files: a run's name, its task and epoch
    assert re.search(r"(finetune__none|mean__videos=5)__seed42:.*task \d/5 epoch \d+/30", stderr), stderr[-2000:]
    assert "sacct" not in stderr and "accounting" not in stderr
    assert same_tables(tmp_path / "slurm", one_process(cfg, tmp_path / "inline"))


def test_a_job_requeued_mid_task_resumes_after_its_last_finished_task(tmp_path, slurm):
    # ~40 s of training: after the requeue (during the second task) at least 15 s are left, more
    # than the 5 s the job keeps running between SIGTERM, which submitit ignores, and SIGKILL
    epochs = epochs_for(tmp_path, 40)
    cfg, out, key = config(tmp_path, epochs, strategies=["finetune"]), tmp_path / "slurm", "finetune__none__seed42"
    child = itas("run", cfg, "--out", out, *SLURM, "--no-progress")
    wait_for(lambda: task_of(out / "progress" / f"{key}.json") >= 1, 240, "the job's second task")
    job = job_of(out, key)
    subprocess.run(["scontrol", "requeue", job], check=True)
    stdout, stderr = child.communicate(timeout=300)
    assert child.returncode == 0, stderr
    log = Path(read_ledger(out)[key]["log"]).with_name(f"{job}_0_log.out").read_text()
    resumed = re.findall(r"resumed after task (\d)", log)
    assert len(resumed) == 1 and int(resumed[0]) >= 0, log
    print(f"requeued during task index >= 1; resumed after task index {resumed[0]}")
    assert same_tables(out, one_process(cfg, tmp_path / "inline"))


FIVE_TASKS = {"tasks": 5, "labels": "disjoint", "seeds": [42]}


def epochs_for(tmp_path: Path, seconds: float, protocol: dict = FIVE_TASKS) -> int:
    """Epochs per task for a finetune run of about `seconds` on this machine, timed from a
    one-process run of 20 epochs: the tests that act while a job trains need it to train long
    enough, on an idle machine as on a busy one."""
    folder = tmp_path / "timing"
    folder.mkdir()
    cfg = config(folder, 20, strategies=["finetune"], protocol=protocol)
    record = json.loads((one_process(cfg, folder / "out") / "runs" / "finetune__none__seed42.json").read_text())
    return max(20, round(seconds / (record["seconds"] / 20)))


def test_a_job_past_its_time_limit_checkpoints_requeues_and_finishes(tmp_path, slurm):
    # SLURM warns a job `signal_delay_s` before its limit but checks every 30 s, so up to 30 s
    # earlier: with 1 minute and 5 s, 25-55 s after the job starts. Ten one-activity tasks sized to
    # ~70 s of training on this machine: longer than an attempt, a few seconds per task.
    protocol = {"tasks": 10, "labels": "disjoint", "seeds": [42]}
    epochs = epochs_for(tmp_path, 70, protocol)
    cfg = config(tmp_path, epochs, strategies=["finetune"], cluster={"signal_delay_s": 5}, protocol=protocol)
    out, key = tmp_path / "slurm", "finetune__none__seed42"
    start = time.monotonic()
    child = itas("run", cfg, "--out", out, *SLURM, "--timeout-min", 1, "--no-progress")
    inline = one_process(cfg, tmp_path / "inline")  # meanwhile, on the other core
    stdout, stderr = child.communicate(timeout=600)
    assert child.returncode == 0, stderr
    job = job_of(out, key)
    log = Path(read_ledger(out)[key]["log"])
    errors, output = log.read_text(), log.with_name(f"{job}_0_log.out").read_text()
    timeouts = errors.count("this job is timed-out")
    resumed = [int(task) for task in re.findall(r"resumed after task (\d)", output)]
    assert timeouts >= 1 and len(resumed) == timeouts and resumed == sorted(resumed), (errors, output)
    print(f"{epochs} epochs per task; timed out {timeouts}x; resumed after task indices {resumed}; "
          f"{time.monotonic() - start:.0f} s")
    assert same_tables(out, inline)


def test_a_cancelled_job_is_named_with_its_log_and_a_rerun_submits_only_it(tmp_path, slurm):
    cfg, out, key = config(tmp_path, epochs_for(tmp_path, 40), **PAIR), tmp_path / "slurm", "mean__videos=5__seed42"
    child = itas("run", cfg, "--out", out, *SLURM, "--no-progress")
    wait_for(lambda: task_of(out / "progress" / f"{key}.json") >= 0, 240, "the job to start training")
    job = job_of(out, key)
    subprocess.run(["scancel", job], check=True)
    stdout, stderr = child.communicate(timeout=300)
    assert child.returncode == 2
    log = read_ledger(out)[key]["log"]
    [line] = [line for line in stdout.splitlines() if f"{key} (job {job}) failed: " in line]
    assert "CANCELLED" in line and line.endswith(f"; job log: {log}") and Path(log).is_file(), line
    assert f"1 of 2 runs failed ({key};" in stderr and stderr.count("\n") == 1, stderr
    code, stdout, stderr = run_cli("run", str(cfg), "--out", str(out), *SLURM, "--no-progress")
    assert code == 0, stderr
    assert re.findall(r"\[itas\] (\S+): submitted as job", stdout) == [key]
    assert same_tables(out, one_process(cfg, tmp_path / "inline"))


def test_a_request_no_node_can_satisfy_is_named_within_a_minute(tmp_path, slurm):
    start = time.monotonic()
    code, stdout, stderr = run_cli("run", str(config(tmp_path, 2, **PAIR)), "--out", str(tmp_path / "slurm"), *SLURM,
                                   "--slurm-cpus", str(slurm + 1), "--no-progress")
    took = time.monotonic() - start
    assert code == 2 and took < 60, (took, stderr)
    assert stderr.count("\n") == 1 and "reason PartitionConfig" in stderr, stderr
    assert f"set cluster.cpus_per_task (--slurm-cpus) to at most {slurm}" in stderr, stderr
    jobs = re.findall(r"submitted as job (\S+)", stdout)
    assert jobs and not set(jobs) & set(queue())  # cancelled, not left pending
    print(f"{took:.0f} s: {stderr.strip()}")


def test_status_of_a_sweep_with_a_recorded_a_running_a_failed_and_a_pending_run(tmp_path, slurm):
    # one array task at a time: the first finishes, the second runs, the third is cancelled while it
    # waits, the fourth waits (reason JobArrayTaskLimit)
    epochs = epochs_for(tmp_path, 40)  # each run: long enough to be seen running
    cfg = config(tmp_path, epochs, **PAIR, protocol={"tasks": 5, "labels": "disjoint", "seeds": [42, 43]},
                 cluster={"array_parallelism": 1})
    out = tmp_path / "slurm"
    child = itas("run", cfg, "--out", out, *SLURM, "--no-progress")
    try:
        wait_for(lambda: (out / "runs" / "finetune__none__seed42.json").is_file()
                 and task_of(out / "progress" / "mean__videos=5__seed42.json") >= 0, 240, "the second run to train")
        subprocess.run(["scancel", job_of(out, "finetune__none__seed43")], check=True)
        wait_for(lambda: "failed" in read_ledger(out).get("finetune__none__seed43", {}), 60, "itas run to see it")
        code, stdout, stderr = run_cli("status", str(out))
    finally:
        child.kill()
        subprocess.run(["scancel", job_of(out, "mean__videos=5__seed42").split("_")[0]])
    print(stdout)
    assert code == 0, stderr
    lines = dict(re.match(r"(\S+)\s+(\S+(?: started)?)\s+(.*)", line).groups()[:2] for line in stdout.splitlines()[:4])
    assert lines == {"finetune__none__seed42": "recorded", "mean__videos=5__seed42": "running",
                     "finetune__none__seed43": "failed", "mean__videos=5__seed43": "pending"}, stdout
    assert re.search(rf"mean__videos=5__seed42\s+running\s+task \d/5, epoch \d+/{epochs}.*SLURM job \d+_1 RUNNING", stdout)
    assert re.search(r"mean__videos=5__seed43\s+pending\s+SLURM job \d+_3 PENDING, reason JobArrayTaskLimit", stdout)
    assert re.search(r"finetune__none__seed42\s+recorded\s+final Acc \d+\.\d\d", stdout)
    assert stdout.splitlines()[-1] == "4 runs: 1 recorded, 1 running, 1 failed, 1 pending"
