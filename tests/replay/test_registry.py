import pytest

from replay.budget import Budget
from replay.exemplars import CoresetMemory, MeanMemory, OriginalMemory
from replay.registry import MEMORIES, make_memory, memory_params
from tasks.errors import DataError


def test_exemplar_memories_are_registered():
    assert MEMORIES["original"] is OriginalMemory
    assert MEMORIES["mean"] is MeanMemory
    assert MEMORIES["coreset"] is CoresetMemory
    assert memory_params("mean") == ("selection", "gamma", "seed", "noise", "noise_rank", "noise_draws")
    assert memory_params("original") == memory_params("mean")


def test_make_memory_parses_the_budget_and_passes_params():
    memory = make_memory("coreset", {"bytes": "2MB"}, selection="diverse", gamma=0.5, seed=3)
    assert isinstance(memory, CoresetMemory)
    assert memory.budget == Budget(bytes=2_000_000)
    assert (memory.selection, memory.gamma, memory.seed) == ("diverse", 0.5, 3)
    assert make_memory("original", Budget(videos=60)).budget.videos == 60


def test_unknown_parameter_names_it_and_the_allowed_ones():
    with pytest.raises(DataError, match=r"memory mean: unknown parameter 'K' \(allowed: selection, gamma, seed, noise, noise_rank, noise_draws\)"):
        make_memory("mean", {"videos": 60}, K=8)


def test_unknown_memory_and_bad_values_are_data_errors():
    with pytest.raises(DataError, match=r"unknown memory 'raw' \(known: .*coreset.*mean.*original"):
        make_memory("raw", {"videos": 60})
    with pytest.raises(DataError, match="memory selection: 'fps'"):
        make_memory("mean", {"videos": 60}, selection="fps")
    with pytest.raises(DataError, match="memory seed"):
        make_memory("mean", {"videos": 60}, seed=-1)
    with pytest.raises(DataError, match="budget videos"):
        make_memory("mean", {"videos": -1})
