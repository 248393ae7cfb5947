"""`itas status` read from a run folder's files: one line per planned run, whichever executor ran it
(SLURM's answers stand in through a patched squeue; the slurm-marked tests ask a real one)."""
import json
import re
import time

import pytest
from itas_cli import run_cli
from tiny_config import tiny_config

import benchmarks.orchestration.status as status
from benchmarks.cluster.queue import QueueEntry
from benchmarks.config import dump_config, resolve_config
from benchmarks.orchestration.checkpoints import save_checkpoint
from benchmarks.orchestration.ledger import record_failed, record_started
from benchmarks.orchestration.live_progress import progress_path
from benchmarks.orchestration.status import position_text
from tasks.atomic_files import write_text_atomically

GONE = 2**30  # no process has this id


def sweep_folder(out):
    """Six runs (finetune and mean × seeds 42-44) in every state there is."""
    cfg = resolve_config(tiny_config(strategies=["finetune", "mean"], budgets=[{"videos": 5}],
                                     protocol={"tasks": 5, "labels": "disjoint", "seeds": [42, 43, 44]}))
    dump_config(cfg, out / "config.yaml")
    metrics = [["finetune", 0, 0, "acc", 50.0], ["finetune", 1, 0, "acc", 40.0], ["finetune", 1, 1, "acc", 61.0],
               ["finetune-nme", 1, 1, "acc", 1.0], ["finetune", 1, 1, "edit", 7.0]]
    write_text_atomically(out / "runs" / "finetune__none__seed42.json",
                          json.dumps({"strategy": "finetune", "metrics": metrics, "seconds": 12.3}))
    log = out / "jobs" / "7_2_0_log.err"
    log.parent.mkdir(parents=True)
    log.write_text("srun: Job step aborted\nslurmstepd: error: *** JOB 7 ON node3 CANCELLED AT 2026-01-01T10:00:00 "
                   "DUE TO TIME LIMIT ***\nsrun: error: node3: task 0: Killed\n")
    record_started(out, {"mean__videos=5__seed42": {"executor": "slurm", "job": "7_1", "log": "jobs/7_1_0_log.err"},
                         "finetune__none__seed43": {"executor": "slurm", "job": "7_2", "log": str(log)},
                         "mean__videos=5__seed43": {"executor": "slurm", "job": "7_3", "log": "jobs/7_3_0_log.err"},
                         "finetune__none__seed44": {"executor": "local", "job": str(GONE), "log": "jobs/9_0_log.err"}})
    record_failed(out, "finetune__none__seed44", "ValueError: boom")
    now = time.time()
    write_text_atomically(progress_path(out, "mean__videos=5__seed42"), json.dumps(
        {"task": 1, "tasks": 5, "epoch": 3, "epochs": 10, "time": now - 1, "since": now - 61, "from": 10}))
    save_checkpoint(out / "checkpoints" / "mean__videos=5__seed44.ckpt", {"task": 2}, "f" * 16)
    ledger = json.loads((out / "jobs" / "runs.json").read_text())
    ledger["mean__videos=5__seed44"] = {"executor": "inline", "parent": GONE}
    (out / "jobs" / "runs.json").write_text(json.dumps(ledger))


def test_every_planned_run_gets_one_line(tmp_path, monkeypatch):
    sweep_folder(tmp_path)
    monkeypatch.setattr(status, "squeue", lambda jobs: {"7_1": QueueEntry("RUNNING", "None", "node3"),
                                                        "7_3": QueueEntry("PENDING", "Priority", "")})
    code, stdout, stderr = run_cli("status", str(tmp_path))
    assert (code, stderr) == (0, "")
    lines = [re.sub(r" {2,}", " | ", line) for line in stdout.splitlines()]
    assert lines[0] == "finetune__none__seed42 | recorded | final Acc 50.50 (12 s)"
    assert re.fullmatch(r"mean__videos=5__seed42 \| running \| task 2/5, epoch 3/10, ETA 1[12]m\d\ds; "
                        r"SLURM job 7_1 RUNNING on node3", lines[1]), lines[1]
    assert lines[2] == (f"finetune__none__seed43 | failed | slurmstepd: error: *** JOB 7 ON node3 CANCELLED AT "
                        f"2026-01-01T10:00:00 DUE TO TIME LIMIT ***; job log: {tmp_path}/jobs/7_2_0_log.err")
    assert lines[3] == "mean__videos=5__seed43 | pending | SLURM job 7_3 PENDING, reason Priority"
    assert lines[4] == "finetune__none__seed44 | failed | ValueError: boom (no job log)"
    assert lines[5] == "mean__videos=5__seed44 | stopped | after task 3 (checkpoint; the next itas run resumes it)"
    assert lines[6] == "6 runs: 1 recorded, 1 running, 2 failed, 1 pending, 1 stopped"


def test_runs_of_an_inline_sweep_follow_its_process(tmp_path, monkeypatch):
    sweep_folder(tmp_path)
    record_started(tmp_path, {"finetune__none__seed43": {"executor": "inline"}})  # this process is the parent
    record_started(tmp_path, {"mean__videos=5__seed43": {"executor": "inline"}})
    write_text_atomically(progress_path(tmp_path, "finetune__none__seed43"), json.dumps(
        {"task": 0, "tasks": 5, "epoch": 0, "epochs": 10}))
    monkeypatch.setattr(status, "squeue", lambda jobs: None)  # no SLURM answers
    states = {state.key: (state.state, state.detail) for state in status.sweep_status(tmp_path)}
    assert states["finetune__none__seed43"][0] == "running"
    assert states["finetune__none__seed43"][1].startswith("task 1/5, epoch 0/10; in itas run (process ")
    assert states["mean__videos=5__seed43"][0] == "pending"
    assert states["mean__videos=5__seed42"] == ("unknown", "SLURM job 7_1: squeue does not answer")


def test_an_eta_comes_from_this_process_pace():
    position = {"task": 4, "tasks": 5, "epoch": 5, "epochs": 10, "time": 100.0, "since": 40.0, "from": 40}
    assert position_text(position, now=100.0) == "task 5/5, epoch 5/10, ETA 1m00s"  # 12 s per epoch, 5 left
    assert position_text({**position, "from": 45}, now=100.0) == "task 5/5, epoch 5/10"  # no epoch yet


def test_a_folder_without_a_config_is_bad_input(tmp_path):
    code, stdout, stderr = run_cli("status", str(tmp_path))
    assert code == 2 and stderr == f"itas status: error: {tmp_path}/config.yaml: not found, expected a folder written by itas run\n"


@pytest.mark.usefixtures("itas_cache")
def test_status_of_a_finished_inline_run(inspected_run):
    code, stdout, _ = run_cli("status", str(inspected_run))
    assert code == 0 and stdout.splitlines()[-1] == "2 runs: 2 recorded"
