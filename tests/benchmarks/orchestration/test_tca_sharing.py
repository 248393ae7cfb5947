"""tca, encoded and condensed in one experiment train each task's TCA once per seed, and score
exactly as with a TCA trained for each of them."""
import contextlib
import io
import json

import pytest
import torch
from tiny_config import TCA, tiny_config, write_config

from benchmarks.cli import main
from benchmarks.config import load_config
from benchmarks.orchestration.runner import prepare_experiment
from benchmarks.orchestration.training import RunSpec, train_run

pytestmark = pytest.mark.usefixtures("itas_cache")

STRATEGIES = [
    {"name": "tca", "params": TCA},
    {"name": "encoded", "params": {"K": 2, **TCA}},
    {"name": "condensed", "params": {"K": 2, **TCA, "inversion_steps": 5}},
]


def test_each_task_tca_is_trained_once_and_metrics_equal_separate_training(tmp_path):
    cfg = tiny_config(protocol={"tasks": 2, "labels": "disjoint", "seeds": [42]}, strategies=STRATEGIES,
                      budgets=[{"videos": 4}])
    config = write_config(tmp_path / "tiny.yaml", cfg)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", str(config), "--out", str(tmp_path / "out"), "--device", "cpu", "--no-progress",
                     "--jobs", "1"]) == 0
    records = {path.stem.split("__")[0]: json.loads(path.read_text()) for path in (tmp_path / "out" / "runs").iterdir()}
    for task in range(2):
        assert [records[name]["tca"][task]["tca"] for name in ("tca", "encoded", "condensed")] == [
            "trained", "loaded", "loaded"]
        assert f"[itas] tca seed 42 task {task}: TCA trained in " in stdout.getvalue()
        assert f"[itas] condensed seed 42 task {task}: TCA loaded in " in stdout.getvalue()
    assert len(list((tmp_path / "out" / "tca").glob("*.pt"))) == 2

    experiment = prepare_experiment(load_config(config))
    for run in experiment.runs:
        spec = RunSpec(run.strategy, run.budget, run.budget_label, run.seed, experiment.cfg, ())
        alone = train_run(spec, experiment.scenarios[run.seed], torch.device("cpu"), progress=False)
        assert [entry["tca"] for entry in alone["tca"]] == ["trained"] * 2
        assert alone["metrics"] == records[run.strategy.label]["metrics"]
