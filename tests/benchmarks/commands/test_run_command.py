"""`itas run` end to end on the tiny config: every strategy, the output files and their schemas,
determinism, resume, `itas report`, and the errors that must stop a run before it trains."""
import json

import pandas as pd
import pytest
import torch
from itas_cli import itas_run, run_cli
from tiny_config import STRATEGIES, TCA, tiny_config, write_config

from benchmarks.config import load_config, resolve_config

pytestmark = pytest.mark.usefixtures("itas_cache")

METRICS = ["acc", "edit", "f1@10", "f1@25", "f1@50"]
LABELS = [s if isinstance(s, str) else s["name"] for s in STRATEGIES]
MEMORY_LABELS = ["original", "mean", "coreset", "condensed", "encoded", "tca", "icarl"]
BUDGET_BYTES = 100_000
# random.Random(42).shuffle of the ten sorted Breakfast activities, paired into 5 tasks, with the
# disjoint class counts of the README's label spaces (each activity's actions plus its own SIL)
ORDER = ["sandwich", "juice", "friedegg", "scrambledegg", "pancake", "salat", "tea", "milk", "cereals", "coffee"]
CLASSES_PER_TASK = [9 + 8, 9 + 12, 14 + 8, 7 + 5, 5 + 7]
# TCA decoder MLP(d + C + 1 -> h -> D) with d 4, C 84, h 16, D 16: float32 parameters
DECODER_BYTES = 4 * ((4 + 84 + 1) * 16 + 16 + 16 * 16 + 16)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, itas_cache):
    folder = tmp_path_factory.mktemp("tiny_run")
    config = write_config(folder / "tiny.yaml", tiny_config())
    code, stdout, stderr = itas_run(config, folder / "out")
    assert code == 0, stderr
    return folder / "out", stdout


def test_run_writes_every_output_file(run_dir):
    out, _ = run_dir
    names = {p.name for p in out.iterdir()}
    assert {"config.yaml", "tasks.json", "metrics.csv", "memory.csv", "matrices.json", "summary.csv",
            "summary.md", "summary.tex", "runs"} <= names
    assert {f"curve_{m}.png" for m in METRICS} <= names
    assert {f"heatmap_{label}.png" for label in [*LABELS, "icarl-nme"]} <= names
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(
        f"{label}__{'bytes=100KB' if label in MEMORY_LABELS else 'none'}__seed42.json" for label in LABELS)
    assert not [p for p in out.rglob("*.tmp")]  # atomic writes leave no temp files
    assert load_config(out / "config.yaml") == resolve_config(tiny_config())  # the resolved config, reloadable


def test_tasks_json_schema_and_values(run_dir):
    tasks = json.loads((run_dir[0] / "tasks.json").read_text())
    assert list(tasks) == ["seeds"] and list(tasks["seeds"]) == ["42"]
    seed = tasks["seeds"]["42"]
    assert list(seed) == ["order", "num_classes", "tasks"]
    assert seed["order"] == ORDER and seed["num_classes"] == 84
    for i, task in enumerate(seed["tasks"]):
        assert list(task) == ["task", "activities", "classes", "train_videos", "test_videos"]
        assert task["task"] == i and task["activities"] == ORDER[2 * i: 2 * i + 2]
        assert len(task["classes"]) == CLASSES_PER_TASK[i]
        assert {c.split("/")[0] for c in task["classes"]} == set(task["activities"])
        assert (task["train_videos"], task["test_videos"]) == (8, 4)


def test_metrics_csv_has_every_cell_of_every_matrix_in_range(run_dir):
    metrics = pd.read_csv(run_dir[0] / "metrics.csv")
    assert list(metrics.columns) == ["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"]
    assert sorted(metrics["strategy"].unique()) == sorted([*LABELS, "icarl-nme"])
    cells = {(i, j, m) for i in range(5) for j in range(5) for m in METRICS}
    for (strategy, budget, seed), rows in metrics.groupby(["strategy", "budget", "seed"]):
        memory = strategy.removesuffix("-nme") in MEMORY_LABELS
        assert (budget, seed) == ("bytes=100KB" if memory else "none", 42)
        keys = list(zip(rows["train_task"], rows["eval_task"], rows["metric"]))
        assert len(keys) == len(set(keys)) and set(keys) == cells, strategy
    assert metrics["value"].between(0, 100).all()


def test_matrices_json_holds_the_metrics_as_R(run_dir):
    out = run_dir[0]
    metrics = pd.read_csv(out / "metrics.csv")
    matrices = json.loads((out / "matrices.json").read_text())
    R = matrices["condensed"]["bytes=100KB"]["42"]["acc"]
    cells = metrics[(metrics["strategy"] == "condensed") & (metrics["metric"] == "acc")]
    assert [[R[i][j] for j in range(5)] for i in range(5)] == [
        [cells[(cells.train_task == i) & (cells.eval_task == j)]["value"].item() for j in range(5)]
        for i in range(5)]


def test_memory_csv_stays_within_the_byte_budget_at_every_step(run_dir):
    memory = pd.read_csv(run_dir[0] / "memory.csv")
    assert list(memory.columns) == ["strategy", "budget", "seed", "after_task", "task", "component", "bytes",
                                    "videos", "frames"]
    assert sorted(memory["strategy"].unique()) == sorted(MEMORY_LABELS)
    for strategy, rows in memory.groupby("strategy"):
        assert sorted(rows["after_task"].unique()) == [0, 1, 2, 3, 4]
        for after, step in rows.groupby("after_task"):
            assert sorted(step["task"].unique()) == list(range(after + 1)), strategy
            assert 0 < step["bytes"].sum() <= BUDGET_BYTES, (strategy, after)
    original = memory[(memory["strategy"] == "original") & (memory["component"] == "features")]
    assert (original["bytes"] == original["frames"] * 16 * 4).all()  # float32 16-d frames
    for strategy in ("condensed", "encoded", "tca"):
        decoders = memory[(memory["strategy"] == strategy) & (memory["component"] == "decoders")]
        assert (decoders["bytes"] == DECODER_BYTES).all() and DECODER_BYTES == 6848
    # the budget binds: after the last task the original memory holds fewer videos than were trained on
    last = original[original["after_task"] == 4]
    assert last["videos"].sum() < 5 * 8


def test_final_table_on_stdout_lists_every_strategy(run_dir):
    stdout = run_dir[1]
    table = stdout[stdout.index("Final average over tasks"):]
    rows = [line.split()[0] for line in table.splitlines()[3:] if line and not line.startswith("[itas]")]
    assert sorted(rows) == sorted([*LABELS, "icarl-nme"])


@pytest.fixture(scope="module")
def videos_runs(tmp_path_factory, itas_cache):
    """Three strategies on a {videos: 7} budget, the same config run into two folders a and b."""
    folder = tmp_path_factory.mktemp("videos_runs")
    strategies = ["original", {"name": "condensed", "params": {"K": 2, **TCA, "inversion_steps": 5}},
                  {"name": "tca", "params": TCA}]
    config = write_config(folder / "videos.yaml", tiny_config(strategies=strategies, budgets=[{"videos": 7}]))
    for name in ("a", "b"):
        code, _, stderr = itas_run(config, folder / name)
        assert code == 0, stderr
    return folder


def test_same_config_twice_gives_identical_tables(videos_runs):
    for name in ("metrics.csv", "memory.csv"):
        assert (videos_runs / "a" / name).read_bytes() == (videos_runs / "b" / name).read_bytes(), name


def test_video_budget_shares_per_task(videos_runs):
    # {videos: 7} split over the seen tasks, remainder to the oldest: 7 | 4 3 | 3 2 2 | 2 2 2 1 | 2 2 1 1 1
    quotas = [[7], [4, 3], [3, 2, 2], [2, 2, 2, 1], [2, 2, 1, 1, 1]]
    memory = pd.read_csv(videos_runs / "a" / "memory.csv")
    # condensed ranks at most γ·8 = 4 diverse videos of a task's 8
    for strategy, component, cap in (("original", "features", 7), ("condensed", "codes", 4)):
        rows = memory[(memory["strategy"] == strategy) & (memory["component"] == component)]
        held = [rows[rows["after_task"] == i].sort_values("task")["videos"].tolist() for i in range(5)]
        assert held == [[min(q, cap) for q in step] for step in quotas], strategy


def test_resume_reuses_the_run_records_and_rebuilds_identical_metrics(videos_runs):
    out = videos_runs / "b"
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    (out / "metrics.csv").unlink()
    code, stdout, stderr = itas_run(videos_runs / "videos.yaml", out)
    assert code == 0, stderr
    assert stdout.count("already recorded, skipped") == 3
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()} == stamps
    assert (out / "metrics.csv").read_bytes() == (videos_runs / "a" / "metrics.csv").read_bytes()


def test_report_reproduces_summary_csv(videos_runs):
    out = videos_runs / "a"
    before = (out / "summary.csv").read_bytes()
    (out / "summary.csv").unlink()
    code, _, stderr = run_cli("report", str(out))
    assert code == 0, stderr
    assert (out / "summary.csv").read_bytes() == before


def test_budget_too_small_fails_before_any_training(tmp_path):
    config = write_config(tmp_path / "small.yaml",
                          tiny_config(strategies=["finetune", "original"], budgets=[{"bytes": "1KB"}]))
    code, _, stderr = itas_run(config, tmp_path / "out")
    assert code == 2
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert stderr.startswith("itas run: error: budget bytes=1KB cannot hold one video of task 0")
    assert not list((tmp_path / "out").glob("runs/*.json"))
    assert not (tmp_path / "out").exists()  # budgets are checked before any output is written


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_device_is_one_line_and_exit_2(tmp_path):
    config = write_config(tmp_path / "tiny.yaml", tiny_config())
    code, _, stderr = run_cli("run", str(config), "--out", str(tmp_path / "out"), "--device", "cuda")
    assert code == 2
    assert stderr == "itas run: error: --device cuda: no CUDA device is available (use --device cpu or auto)\n"
    assert not (tmp_path / "out").exists()


def test_unknown_device_name(tmp_path):
    config = write_config(tmp_path / "tiny.yaml", tiny_config())
    code, _, stderr = run_cli("run", str(config), "--out", str(tmp_path / "out"), "--device", "gpu")
    assert (code, stderr) == (2, "itas run: error: --device: expected auto, cpu or cuda[:N], got 'gpu'\n")


def test_bf16_on_the_cpu_is_one_line_and_exit_2(tmp_path):
    config = write_config(tmp_path / "tiny.yaml", tiny_config())
    code, _, stderr = run_cli("run", str(config), "--out", str(tmp_path / "out"), "--device", "cpu",
                              "--set", "train.precision=bf16")
    assert code == 2
    assert stderr == ("itas run: error: train.precision: bf16 needs a CUDA device with bfloat16 support, "
                      "the run's device is cpu (use fp32 there)\n")
    assert not (tmp_path / "out").exists()


def test_missing_feature_file_in_a_data_root_names_the_file(tmp_path):
    data = tmp_path / "data"
    assert run_cli("synth", str(data), "--dim", "16", "--videos-per-activity", "4", "--length-scale", "0.05")[0] == 0
    (data / "features" / "P03_cam01_P03_tea.npy").unlink()
    cfg = tiny_config(strategies=["finetune"])
    cfg["data"] = {"root": str(data)}
    code, _, stderr = itas_run(write_config(tmp_path / "real.yaml", cfg), tmp_path / "out")
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith("itas run: error: ")
    assert "P03_cam01_P03_tea.npy: feature file not found" in stderr
    assert not (tmp_path / "out").exists()


def test_run_of_only_memoryless_strategies_reports(tmp_path):
    """No strategy keeps a memory: memory.csv is a bare header and the report still builds."""
    config = write_config(tmp_path / "tiny.yaml", tiny_config(strategies=["finetune"]))
    code, stdout, stderr = itas_run(config, tmp_path / "out")
    assert code == 0, stderr
    assert (tmp_path / "out" / "memory.csv").read_text().count("\n") == 1
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary["strategy"].tolist() == ["finetune"]


def test_asformer_backbone_runs_end_to_end(tmp_path):
    """backbone.name: asformer trains, evaluates, and serves iCaRL its last-stage embedding."""
    backbone = {"name": "asformer", "stages": 2, "layers": 3, "maps": 8}
    cfg = tiny_config(backbone=backbone, strategies=["finetune", {"name": "icarl", "params": {"clip": 4}}],
                      budgets=[{"videos": 10}])
    code, stdout, stderr = itas_run(write_config(tmp_path / "tiny.yaml", cfg), tmp_path / "out")
    assert code == 0, stderr
    metrics = pd.read_csv(tmp_path / "out" / "metrics.csv")
    assert set(metrics["strategy"]) == {"finetune", "icarl", "icarl-nme"}
    assert len(metrics) == 3 * 5 * 5 * 5  # strategies x train tasks x eval tasks x metrics
