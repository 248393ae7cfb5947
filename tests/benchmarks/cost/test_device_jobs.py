import pytest
import torch

from benchmarks.commands.run import resolve_jobs
from benchmarks.config import bundled_config, load_config
from benchmarks.cost.cost_data import data_profile
from benchmarks.cost.device_jobs import CUDA_CONTEXT, FLOAT, jobs_that_fit, run_device_bytes
from tasks.errors import DataError

GIB = 2**30


def test_jobs_that_fit_free_memory():
    assert jobs_that_fit(10 * GIB, 3 * GIB, runs=50, requested=0, device="cuda:0") == 3
    assert jobs_that_fit(10 * GIB, 3 * GIB, runs=2, requested=0, device="cuda:0") == 2
    assert jobs_that_fit(10 * GIB, 3 * GIB, runs=50, requested=2, device="cuda:0") == 2
    with pytest.raises(DataError, match=r"^--jobs 4: 4 runs need about 12.0 GiB of device memory and cuda:0 has "
                                        r"10.0 GiB free \(at most 3 fit; --jobs 0 picks that\)$"):
        jobs_that_fit(10 * GIB, 3 * GIB, runs=50, requested=4, device="cuda:0")
    with pytest.raises(DataError, match=r"^--jobs: one run needs about 3.0 GiB of device memory and cuda:0 has 1.0 GiB free$"):
        jobs_that_fit(1 * GIB, 3 * GIB, runs=50, requested=0, device="cuda:0")


def test_a_run_needs_at_least_a_task_of_frames_on_the_device_at_paper_scale():
    paper = load_config(bundled_config("paper"))
    profile = data_profile(paper)
    largest_task = max(sum(train) for train, _ in profile.tasks(10, 42))
    needed = run_device_bytes(paper, profile)
    assert CUDA_CONTEXT + FLOAT * largest_task * 2048 < needed < 20 * GIB
    quick = load_config(bundled_config("quick"))
    assert run_device_bytes(quick, data_profile(quick)) < needed


def test_resolve_jobs_reads_free_cuda_memory(monkeypatch, itas_cache):
    cfg = load_config(bundled_config("quick"))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (3 * run_device_bytes(cfg, data_profile(cfg)), 0))
    assert resolve_jobs(cfg, torch.device("cuda:0"), 0, runs=10) == 3
    assert cfg["train"]["threads"] == 1  # quick.yaml sets it; an unset one would become cores / jobs
    with pytest.raises(DataError, match=r"^--jobs 5: 5 runs need about"):
        resolve_jobs(cfg, torch.device("cuda:0"), 5, runs=10)
    with pytest.raises(DataError, match=r"^--jobs: expected 0 \(auto\) or a positive integer, got -1$"):
        resolve_jobs(cfg, torch.device("cpu"), -1, runs=10)
