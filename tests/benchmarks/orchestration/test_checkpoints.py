"""Checkpoints inside a run: a run stopped right after any task's checkpoint and resumed ends with the
very records of an uninterrupted run (metrics and memory rows, bit for bit), for every strategy."""
import dataclasses

import pytest
import torch
from tiny_config import STRATEGIES, tiny_config

from benchmarks.orchestration.checkpoints import RunCheckpoint, read_header, safe_classes
from strategies.backbones import BACKBONES
from benchmarks.config import resolve_config
from benchmarks.orchestration.fingerprints import fingerprint, run_config
from benchmarks.orchestration.runner import prepare_experiment
from benchmarks.orchestration.training import RunSpec, build_backbone, train_run
from replay.tca import TCADecoder
from tasks.errors import DataError

pytestmark = pytest.mark.usefixtures("itas_cache")

CPU = torch.device("cpu")
# The strategies with state beyond the model: LwF's frozen copy, iCaRL's clips and class means,
# condensed's decoders and codes, tca's draw counter, joint's union of seen tasks.
STATEFUL = ["lwf", "icarl", "condensed"]
SLOW = [s if isinstance(s, str) else s["name"] for s in STRATEGIES if (s if isinstance(s, str) else s["name"]) not in STATEFUL]


class Killed(Exception):
    """Stands for a SIGKILL right after a checkpoint was written."""


@dataclasses.dataclass(frozen=True)
class KilledAfter(RunCheckpoint):
    task: int = 0

    def save(self, state: dict):
        path = super().save(state)
        if state["task"] == self.task:
            raise Killed
        return path


@pytest.fixture(scope="module")
def experiment(itas_cache):
    cfg = resolve_config(tiny_config(budgets=[{"videos": 10}], train={"epochs": 2, "batch_size": 4}))
    return prepare_experiment(cfg)


def _spec(experiment, name: str):
    run = next(run for run in experiment.runs if run.strategy.name == name)
    spec = RunSpec(run.strategy, run.budget, run.budget_label, run.seed, experiment.cfg, ())
    parts = run_config(experiment.cfg, run.strategy, run.budget, run.seed)
    return spec, experiment.scenarios[run.seed], parts


def _interrupted_and_resumed(experiment, name, tmp_path, kills):
    spec, scenario, parts = _spec(experiment, name)
    path = tmp_path / f"{name}.ckpt"
    for task in kills:
        with pytest.raises(Killed):
            train_run(spec, scenario, CPU, False, checkpoint=KilledAfter(path, fingerprint(parts), parts, task))
        assert read_header(path)[0]["task"] == task
    return train_run(spec, scenario, CPU, False, checkpoint=RunCheckpoint(path, fingerprint(parts), parts))


def _check_same(experiment, name, tmp_path, kills):
    spec, scenario, _ = _spec(experiment, name)
    uninterrupted = train_run(spec, scenario, CPU, False)
    resumed = _interrupted_and_resumed(experiment, name, tmp_path, kills)
    assert resumed["metrics"] == uninterrupted["metrics"]
    assert resumed["memory"] == uninterrupted["memory"]
    assert resumed["ribbons"] == uninterrupted["ribbons"]
    assert len({row[0] for row in resumed["metrics"] if row[1] == 4}) >= 1  # all 5 tasks trained


@pytest.mark.parametrize("name", STATEFUL)
def test_killed_and_resumed_twice_equals_uninterrupted(experiment, name, tmp_path):
    _check_same(experiment, name, tmp_path, kills=[0, 2])


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_every_other_strategy_resumes_exactly(experiment, name, tmp_path):
    _check_same(experiment, name, tmp_path, kills=[1, 3])


def test_a_checkpoint_of_another_config_or_damaged_is_refused(experiment, tmp_path):
    spec, scenario, parts = _spec(experiment, "finetune")
    path = tmp_path / "run.ckpt"
    with pytest.raises(Killed):
        train_run(spec, scenario, CPU, False, checkpoint=KilledAfter(path, fingerprint(parts), parts, 0))
    with pytest.raises(DataError, match="checkpoint of a different config"):
        train_run(spec, scenario, CPU, False, checkpoint=RunCheckpoint(path, "other", parts))
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=f"^{path}: checksum mismatch"):
        train_run(spec, scenario, CPU, False, checkpoint=RunCheckpoint(path, fingerprint(parts), parts))


def test_a_checkpoint_whose_model_does_not_fit_is_one_line(experiment, tmp_path):
    spec, scenario, parts = _spec(experiment, "finetune")
    path = tmp_path / "run.ckpt"
    with pytest.raises(Killed):
        train_run(spec, scenario, CPU, False, checkpoint=KilledAfter(path, fingerprint(parts), parts, 0))
    state = RunCheckpoint(path, fingerprint(parts), parts).load(CPU)
    # the layout of an older MS-TCN: Conv1d weights (out, in, kernel) under the same names
    state["model"] = {name: value.unsqueeze(-1) if name.endswith("weight") else value
                      for name, value in state["model"].items()}
    RunCheckpoint(path, fingerprint(parts), parts).save(state)
    with pytest.raises(DataError, match=f"^{path}: its model does not fit this version's MSTCN .*--force-new$"):
        train_run(spec, scenario, CPU, False, checkpoint=RunCheckpoint(path, fingerprint(parts), parts))


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_every_backbone_and_decoder_layer_may_be_read_back(name):
    """LwF, BiC and iCaRL keep a frozen copy of the backbone and latent memories their decoders:
    every layer class of them is on the weights-only allow-list, whatever the backbone."""
    cfg = resolve_config(tiny_config(backbone={"name": name, "stages": 3, "layers": 3, "maps": 4}))
    layers = {type(module) for module in build_backbone(cfg, 5, 7).modules()}
    layers |= {type(module) for module in TCADecoder(5, 7, latent=3, hidden=4).modules()}
    assert layers <= set(safe_classes())
