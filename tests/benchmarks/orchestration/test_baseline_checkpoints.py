"""The continual-learning baselines resume exactly: a run killed after a task's checkpoint and
resumed ends with the records of an uninterrupted run (slow: five tasks, three runs each)."""
import pytest
from test_checkpoints import _check_same
from tiny_config import tiny_config

from benchmarks.config import resolve_config
from benchmarks.orchestration.runner import prepare_experiment

pytestmark = pytest.mark.usefixtures("itas_cache")

BASELINES = ["ewc", "si", "mas", "derpp", "er_ace", "agem", "gdumb", "bic"]


@pytest.fixture(scope="module")
def experiment(itas_cache):
    cfg = resolve_config(tiny_config(strategies=BASELINES, budgets=[{"videos": 10}],
                                     train={"epochs": 2, "batch_size": 4}))
    return prepare_experiment(cfg)


@pytest.mark.slow
@pytest.mark.parametrize("name", BASELINES)
def test_killed_and_resumed_twice_equals_uninterrupted(experiment, name, tmp_path):
    _check_same(experiment, name, tmp_path, kills=[0, 2])
