from pathlib import Path

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


EXAMPLE = str(Path(__file__).resolve().parents[1] / "plugins" / "example_memory")


def test_an_outside_memory_is_built_by_its_dotted_path_with_its_own_and_inherited_params(monkeypatch):
    monkeypatch.syspath_prepend(EXAMPLE)
    assert memory_params("strided_memory:StridedMemory") == ("stride", "selection", "gamma", "seed")
    memory = make_memory("strided_memory:StridedMemory", {"videos": 4}, stride=2, seed=5)
    assert (type(memory).__name__, memory.stride, memory.seed, memory.budget) == ("StridedMemory", 2, 5, Budget(videos=4))
    with pytest.raises(DataError, match=r"unknown parameter 'K' \(allowed: stride, selection, gamma, seed\)"):
        make_memory("strided_memory:StridedMemory", {"videos": 4}, K=2)


@pytest.mark.parametrize("name, message", [
    ("replay.memory:Memory", r"Memory is a protocol; expected a class implementing it$"),
    ("replay.memory:COMPONENTS", r"expected a memory class, got tuple$"),
    ("replay.memory:MemoryContext", r"MemoryContext lacks add_task, replay, nbytes, nbytes_by_task, stored, check_feasible"),
    ("replay.reconstructing:ReconstructingMemory", r"ReconstructingMemory does not implement decode, encode, video_cost$"),
    ("strategies.icarl_memory:ClipMemory", r"ClipMemory\(budget, clip=8, clips_per_video=8\) cannot be called as ClipMemory\(budget, seed=...\)$"),
])
def test_a_class_breaking_the_memory_contract_is_refused_naming_what_is_missing(name, message):
    with pytest.raises(DataError, match=rf"^plugin '{name}': " + message):
        make_memory(name, {"videos": 4})
