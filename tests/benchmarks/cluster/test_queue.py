"""benchmarks.cluster.queue against stand-in `squeue` and `sinfo` commands that print what SLURM
prints (the real ones are exercised by the slurm-marked tests)."""
import os
import stat

import pytest

from benchmarks.cluster.queue import (QueueWatcher, SlurmRequest, _minutes, never_starts, request_advice,
                                      squeue)


def stand_in(folder, name: str, output: str, code: int = 0, stderr: str = "") -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\necho '{stderr}' >&2\nexit {code}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


def test_squeue_lines_become_entries_and_a_forgotten_job_an_empty_answer(bin_dir):
    stand_in(bin_dir, "squeue", "12_0|RUNNING|None|node1\n12_1|PENDING|Priority|\n13|CANCELLED|None|node2")
    entries = squeue(["12_0", "12_1", "13"])
    assert entries["12_0"].state == "RUNNING" and entries["12_0"].node == "node1"
    assert (entries["12_1"].state, entries["12_1"].reason) == ("PENDING", "Priority")
    stand_in(bin_dir, "squeue", "", code=1, stderr="slurm_load_jobs error: Invalid job id specified")
    assert squeue(["99"]) == {}
    stand_in(bin_dir, "squeue", "", code=1, stderr="slurm_load_jobs error: Unable to contact slurm controller")
    assert squeue(["99"]) is None


def test_the_watcher_reads_squeue_and_calls_a_job_it_no_longer_lists_ended(bin_dir):
    stand_in(bin_dir, "squeue", "12_0|RUNNING|None|node1\n12_1|PENDING|Resources|")
    watcher = QueueWatcher(delay_s=15)
    for job in ("12_0", "12_1", "12_2"):
        watcher.register_job(job)
    watcher.update()
    assert [watcher.get_state(job, mode="cache") for job in ("12_0", "12_1", "12_2")] == ["RUNNING", "PENDING", "ENDED"]
    assert watcher.get_info("12_1", mode="cache")["Reason"] == "Resources"
    assert not watcher.is_done("12_0", mode="cache") and watcher.is_done("12_2", mode="cache")


def test_reasons_that_never_resolve():
    assert never_starts("PartitionConfig") and never_starts("QOSMaxCpuPerJobLimit")
    assert not never_starts("Resources") and not never_starts("JobArrayTaskLimit") and not never_starts("QOSMaxJobsPerUserLimit")


def test_time_limits_read_as_minutes():
    assert [_minutes(x) for x in ("30", "1:30", "2:00:00", "1-00:00:00")] == [30, 1.5, 120, 1440]
    assert _minutes("infinite") == float("inf")


def test_the_advice_names_the_key_and_the_largest_node(bin_dir):
    stand_in(bin_dir, "sinfo", "gpu|8|64000|gpu:a100:4|1-00:00:00|a100\ncpu*|4|16000|(null)|4:00:00|(null)\n"
                               "cpu*|2|8000|(null)|4:00:00|(null)")
    request = SlurmRequest(cpus=6, mem_gb=20, gpus=1, timeout_min=300, partition=None, constraint=None)
    advice = request_advice(request)
    assert advice == ("set cluster.cpus_per_task (--slurm-cpus) to at most 4; set cluster.mem_gb (--slurm-mem-gb) "
                      "to at most 15; set cluster.gpus (--slurm-gpus) to 0, or pick a partition with GPUs; lower "
                      "--timeout-min to at most 240 (the default partition: at most 4 CPUs, 16000 MB, no GPUs per node)")
    fits = SlurmRequest(cpus=8, mem_gb=None, gpus=2, timeout_min=60, partition="gpu", constraint="h100")
    assert request_advice(fits).startswith("check cluster.constraint 'h100' (node features: a100)")
    assert request_advice(SlurmRequest(1, None, 0, 60, "nope", None)) == \
        "check cluster.partition: sinfo lists no nodes in partition 'nope'"
