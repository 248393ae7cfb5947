import pytest
from strategy_smoke import CPU, NUM_CLASSES

import strategies  # noqa: F401  (registers every strategy)
from replay.budget import Budget
from replay.latent import CondensedMemory
from strategies.registry import STRATEGIES, StrategyContext, build_strategy, uses_memory
from tasks.errors import DataError

CTX = StrategyContext(Budget(videos=6), 3, CPU, NUM_CLASSES)


def test_every_design_name_is_registered_and_memory_users_are_marked():
    assert sorted(STRATEGIES) == ["agem", "bic", "condensed", "coreset", "derpp", "encoded", "er_ace", "ewc",
                                  "finetune", "gdumb", "icarl", "joint", "lwf", "mas", "mean", "original", "si", "tca"]
    # the regularisers take the run's budget too: their arrays count against a byte budget
    assert sorted(name for name in STRATEGIES if uses_memory(name)) == ["agem", "bic", "condensed", "coreset", "derpp", "encoded", "er_ace", "ewc",
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
    ("agem", {"sample_size": 0}, "strategies.agem: parameter 'sample_size' must be an integer in 1..1000000, got 0"),
    ("bic", {"validation": 1.5}, "strategies.bic: parameter 'validation' must be an integer in 1..1000000, got 1.5"),
    ("icarl", {"clip": 10**9}, "strategies.icarl: parameter 'clip' must be an integer in 1..100000, got 1000000000"),
    ("condensed", {"hidden": 4_000_000_000}, "memory hidden: expected an integer in 1..16384, got 4000000000"),
    ("tca", {"tca_epochs": 10**12}, "memory tca_epochs: expected an integer in 1..1000000, got 1000000000000"),
])
def test_unknown_names_and_params_are_data_errors(name, params, message):
    with pytest.raises(DataError) as err:
        build_strategy(name, CTX, params)
    assert str(err.value) == message



def test_outside_builders_run_by_dotted_path_and_say_whether_they_keep_a_memory():
    assert build_strategy("outside_strategies:frozen_head", CTX, {}).plugins == []
    assert (uses_memory("outside_strategies:frozen_head"), uses_memory("outside_strategies:buffered")) == (False, True)
    with pytest.raises(DataError, match=r"^plugin 'strategy_smoke:CPU': expected a strategy builder or a memory "
                                        r"class, got device$"):
        uses_memory("strategy_smoke:CPU")
    with pytest.raises(DataError, match=r"^strategies.frozen_head: unknown parameter 'x'"):
        build_strategy("outside_strategies:frozen_head", CTX, {"x": 1})
    with pytest.raises(DataError, match=r"^plugin 'outside_strategies:not_parts': returned dict, expected "
                                        r"strategies.registry.StrategyParts$"):
        build_strategy("outside_strategies:not_parts", CTX, {})


def test_an_outside_memory_class_runs_as_a_replay_strategy():
    parts = build_strategy("replay.exemplars:OriginalMemory", CTX, {"selection": "herding"})
    assert type(parts.memory).__name__ == "OriginalMemory" and parts.memory.selection == "herding"
    assert uses_memory("replay.exemplars:OriginalMemory")


def test_entry_points_name_outside_strategies_and_memories(tmp_path, monkeypatch):
    info = tmp_path / "outside-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: outside\nVersion: 0\n")
    (info / "entry_points.txt").write_text("[itas.strategies]\nbuffered = outside_strategies:buffered\n"
                                           "kept_strategy = replay.exemplars:OriginalMemory\n\n"
                                           "[itas.memories]\nkept = replay.exemplars:OriginalMemory\n"
                                           "not_a_class = outside_strategies:buffered\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert uses_memory("buffered") and build_strategy("buffered", CTX, {}).memory is None
    assert type(build_strategy("kept", CTX, {}).memory).__name__ == "OriginalMemory"
    assert type(build_strategy("kept_strategy", CTX, {}).memory).__name__ == "OriginalMemory"
    with pytest.raises(DataError, match=r"^plugin 'not_a_class' \(entry point itas.memories outside_strategies:buffered\): "
                                        r"expected a memory class, got function$"):
        uses_memory("not_a_class")
    with pytest.raises(DataError, match=r"unknown strategy 'nope' \(known: .*buffered.*kept.*not_a_class"):
        build_strategy("nope", CTX, {})
