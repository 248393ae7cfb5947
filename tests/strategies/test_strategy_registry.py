import pytest
from strategy_smoke import CPU, NUM_CLASSES

import strategies  # noqa: F401  (registers every strategy)
from replay.budget import Budget
from replay.latent import CondensedMemory
from strategies.registry import STRATEGIES, USES_MEMORY, StrategyContext, build_strategy
from tasks.errors import DataError

CTX = StrategyContext(Budget(videos=6), 3, CPU, NUM_CLASSES)


def test_every_design_name_is_registered_and_memory_users_are_marked():
    assert sorted(STRATEGIES) == ["condensed", "coreset", "encoded", "finetune", "icarl", "joint", "lwf", "mean",
                                  "original", "tca"]
    assert sorted(USES_MEMORY) == ["condensed", "coreset", "encoded", "icarl", "mean", "original", "tca"]


def test_finetune_adds_nothing():
    parts = build_strategy("finetune", CTX, {})
    assert (parts.plugins, parts.memory) == ([], None)


def test_replay_strategy_params_reach_the_memory():
    parts = build_strategy("condensed", CTX, {"K": 3, "latent": 8, "inversion_steps": 7})
    memory = parts.memory
    assert isinstance(memory, CondensedMemory)
    assert (memory.K, memory.latent, memory.inversion_steps) == (3, 8, 7)
    assert (memory.selection, memory.gamma) == ("diverse", 0.5)  # P's defaults


@pytest.mark.parametrize("name, params, message", [
    ("finetun", {}, "strategies: unknown strategy 'finetun' (known: condensed, coreset, encoded, finetune, icarl, "
                    "joint, lwf, mean, original, tca)"),
    ("finetune", {"lr": 1}, "strategies.finetune: unknown parameter 'lr' (allowed: none)"),
    ("joint", {"epochs": 2}, "strategies.joint: unknown parameter 'epochs' (allowed: none)"),
    ("original", {"K": 2}, "memory original: unknown parameter 'K' (allowed: selection, gamma, seed)"),
])
def test_unknown_names_and_params_are_data_errors(name, params, message):
    with pytest.raises(DataError) as err:
        build_strategy(name, CTX, params)
    assert str(err.value) == message

