import pytest
from strategy_smoke import CPU, NUM_CLASSES

import strategies  # noqa: F401  (registers every strategy)
from replay.budget import Budget
from replay.latent import CondensedMemory
from strategies.registry import STRATEGIES, USES_MEMORY, StrategyContext, build_strategy
from tasks.errors import DataError

CTX = StrategyContext(Budget(videos=6), 3, CPU, NUM_CLASSES)


def test_every_design_name_is_registered_and_memory_users_are_marked():
    assert sorted(STRATEGIES) == ["agem", "bic", "condensed", "coreset", "derpp", "encoded", "er_ace", "ewc",
                                  "finetune", "gdumb", "icarl", "joint", "lwf", "mas", "mean", "original", "si", "tca"]
    # the regularisers take the run's budget too: their arrays count against a byte budget
    assert sorted(USES_MEMORY) == ["agem", "bic", "condensed", "coreset", "derpp", "encoded", "er_ace", "ewc",
                                   "gdumb", "icarl", "mas", "mean", "original", "si", "tca"]


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
    ("finetun", {}, "strategies: unknown strategy 'finetun' (known: agem, bic, condensed, coreset, derpp, encoded, "
                    "er_ace, ewc, finetune, gdumb, icarl, joint, lwf, mas, mean, original, si, tca)"),
    ("finetune", {"lr": 1}, "strategies.finetune: unknown parameter 'lr' (allowed: none)"),
    ("joint", {"epochs": 2}, "strategies.joint: unknown parameter 'epochs' (allowed: none)"),
    ("original", {"K": 2}, "memory original: unknown parameter 'K' (allowed: selection, gamma, seed, noise, noise_rank, noise_draws)"),
    ("er_ace", {"K": 2}, "strategies.er_ace: unknown parameter 'K' (allowed: selection, gamma, seed)"),
    ("gdumb", {"selection": "best"}, "memory selection: 'best' is not one of random, herding, diverse"),
    ("agem", {"sample_size": 0}, "strategies.agem: parameter 'sample_size' must be a positive integer, got 0"),
    ("bic", {"validation": 1.5}, "strategies.bic: parameter 'validation' must be a positive integer, got 1.5"),
])
def test_unknown_names_and_params_are_data_errors(name, params, message):
    with pytest.raises(DataError) as err:
        build_strategy(name, CTX, params)
    assert str(err.value) == message

