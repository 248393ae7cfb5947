import pytest
import torch
from tiny_config import tiny_config

from benchmarks.config import bundled_config, load_config, resolve_config
from benchmarks.orchestration.training import build_backbone
from benchmarks.orchestration.runner import plan_runs, prepare_experiment, resolve_device
from replay.budget import Budget
from strategies.registry import StrategyContext, build_strategy
from tasks.errors import DataError

pytestmark = pytest.mark.usefixtures("itas_cache")


def test_plan_expands_seeds_strategies_and_budgets_in_order():
    cfg = resolve_config({
        "protocol": {"seeds": [1, 2]},
        "strategies": ["finetune", {"name": "condensed", "label": "condensed-K2", "params": {"K": 2}}, "icarl"],
        "budgets": [{"videos": 60}, {"bytes": "4MB", "count_decoders": False}],
    })
    runs = plan_runs(cfg)
    # memory strategies once per budget, the others once with budget "none" (a label with '/' is refused)
    keys = ["finetune__none__seed{s}", "condensed-K2__videos=60__seed{s}",
            "condensed-K2__bytes=4MB,count_decoders=false__seed{s}", "icarl__videos=60__seed{s}",
            "icarl__bytes=4MB,count_decoders=false__seed{s}"]
    assert [run.key for run in runs] == [k.format(s=s) for s in (1, 2) for k in keys]
    assert runs[1].budget == Budget(videos=60) and runs[0].budget is None
    assert runs[1].strategy.params == {"K": 2} and runs[1].budget_label == "videos=60"


def test_resolve_device():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(DataError, match=r"^--device: expected auto, cpu or cuda\[:N\], got 'tpu'$"):
        resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_resolve_cuda_without_a_device():
    with pytest.raises(DataError, match=r"^--device cuda:1: no CUDA device is available"):
        resolve_device("cuda:1")


def test_prepare_experiment_builds_one_scenario_per_seed():
    cfg = resolve_config(tiny_config(protocol={"tasks": 5, "labels": "blurry", "seeds": [42, 7]},
                                     strategies=["finetune", "mean"]))
    experiment = prepare_experiment(cfg)
    assert sorted(experiment.scenarios) == [7, 42] and len(experiment.runs) == 4
    summary = experiment.tasks_json()["seeds"]
    assert summary["42"]["num_classes"] == summary["7"]["num_classes"] == 48
    assert summary["42"]["order"] != summary["7"]["order"]
    assert sorted(summary["7"]["order"]) == sorted(summary["42"]["order"])
    assert sum(t["train_videos"] for t in summary["7"]["tasks"]) == 40


@pytest.mark.parametrize("strategies, message", [
    (["finetune", "finetun"], "strategies: unknown strategy 'finetun' (known: "),
    (["finetune", {"name": "lwf", "params": {"alpha": -1}}], "strategies.lwf: "),
    (["finetune", {"name": "mean", "params": {"K": 2}}], "memory mean: unknown parameter 'K'"),
    (["finetune", "original"], "budget bytes=1KB cannot hold one video of task 0"),
])
def test_prepare_experiment_rejects_every_bad_run_before_training(strategies, message):
    cfg = resolve_config(tiny_config(strategies=strategies, budgets=[{"bytes": "1KB"}]))
    with pytest.raises(DataError) as err:
        prepare_experiment(cfg)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("name, runs, backbone", [
    ("quick", 12, "MSTCN"), ("condense", 6, "MSTCN"), ("paper", 5 * 10, "MSTCN"),
    ("paper-procedural", 5 * 10, "MSTCN"), ("paper-asformer", 5 * 6, "ASFormer"),
])
def test_every_bundled_config_plans_and_builds_its_strategies(name, runs, backbone):
    cfg = load_config(bundled_config(name))
    assert type(build_backbone(cfg, 2048, 84)).__name__ == backbone
    planned = plan_runs(cfg)
    assert len(planned) == runs
    for run in planned:
        build_strategy(run.strategy.name, StrategyContext(run.budget, run.seed, torch.device("cpu"), 84),
                       run.strategy.params)


def test_paper_procedural_is_paper_on_breakfast_scale_procedural_data():
    paper, procedural = (load_config(bundled_config(name)) for name in ("paper", "paper-procedural"))
    for section in ("protocol", "backbone", "train", "budgets"):
        assert procedural[section] == paper[section]
    by_name = {entry["name"] if isinstance(entry, dict) else entry: entry for entry in paper["strategies"]}
    assert sorted(procedural["strategies"], key=str) == sorted(by_name.values(), key=str)
    assert procedural["data"]["root"] is None
    assert (procedural["data"]["dim"], procedural["data"]["length_scale"]) == (2048, 1.0)
