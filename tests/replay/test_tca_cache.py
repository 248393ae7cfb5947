import threading

import pytest
import torch
from synthetic_segments import procedural_videos

import replay.tca_cache as tca_cache
from replay.latent import CondensedMemory, EncodedMemory
from replay.generative import GenerativeMemory
from replay.memory import MemoryContext
from replay.tca_cache import LOADED, TRAINED, shared_tca, tca_fingerprint
from tasks.errors import DataError

CPU = torch.device("cpu")
PARAMS = dict(latent=4, hidden=16, epochs=3, batch_frames=64, seed=5)


@pytest.fixture
def training_count(monkeypatch):
    calls = []
    real = tca_cache.train_tca

    def counted(*args, **kwargs):
        calls.append(kwargs["seed"])
        return real(*args, **kwargs)

    monkeypatch.setattr(tca_cache, "train_tca", counted)
    return calls


def test_a_second_caller_loads_the_trained_weights_instead_of_training(tmp_path, training_count):
    videos = procedural_videos(num_videos=3)
    first, trained = shared_tca(tmp_path, videos, 5, CPU, **PARAMS)
    rng = torch.get_rng_state()
    second, loaded = shared_tca(tmp_path, videos, 5, CPU, **PARAMS)
    assert torch.equal(rng, torch.get_rng_state())  # loading leaves the run's random stream as training does
    assert (trained.how, loaded.how) == (TRAINED, LOADED) and trained.path == loaded.path
    assert training_count == [5]
    assert loaded.record(3) == {"task": 3, "tca": "loaded", "file": loaded.path.name, "seconds": round(loaded.seconds, 2)}
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert not second.training and not any(p.requires_grad for p in second.parameters())
    # another seed is another model; without a folder nothing is shared
    shared_tca(tmp_path, videos, 5, CPU, **{**PARAMS, "seed": 6})
    _, alone = shared_tca(None, videos, 5, CPU, **PARAMS)
    assert training_count == [5, 6, 5] and alone.how == TRAINED and alone.path is None
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.suffix == ".pt") == [".pt", ".pt"]


def test_fingerprint_follows_parameters_frames_labels_and_device_type():
    videos = procedural_videos(num_videos=3)
    base = tca_fingerprint(videos, 5, CPU, PARAMS)
    assert tca_fingerprint(procedural_videos(num_videos=3), 5, CPU, dict(PARAMS)) == base
    assert tca_fingerprint(videos, 5, CPU, {**PARAMS, "lr": 1e-3}) != base
    assert tca_fingerprint(videos, 6, CPU, PARAMS) != base
    assert tca_fingerprint(videos, 5, torch.device("cuda:1"), PARAMS) != base
    assert tca_fingerprint(videos[:2], 5, CPU, PARAMS) != base
    changed = procedural_videos(num_videos=3)
    changed[1].features[0, 0] += 1e-3
    assert tca_fingerprint(changed, 5, CPU, PARAMS) != base
    relabelled = procedural_videos(num_videos=3)
    relabelled[0].labels[0] = (relabelled[0].labels[0] + 1) % 5
    assert tca_fingerprint(relabelled, 5, CPU, PARAMS) != base


def test_a_damaged_cache_file_is_a_one_line_error(tmp_path):
    videos = procedural_videos(num_videos=3)
    _, origin = shared_tca(tmp_path, videos, 5, CPU, **PARAMS)
    origin.path.write_bytes(b"not a torch archive")
    with pytest.raises(DataError, match=r"\.pt: not a readable TCA file .*; delete it to train again$"):
        shared_tca(tmp_path, videos, 5, CPU, **PARAMS)


def test_memories_with_equal_tca_parameters_share_one_model_and_replay_identically(tmp_path, training_count):
    """tca, encoded and condensed (with different selection seeds) train each task's TCA once."""
    tca = dict(latent=4, hidden=16, tca_epochs=3, batch_frames=64)
    videos = procedural_videos(num_videos=6, num_classes=5, seed=1)

    def memories(cache):
        built = [GenerativeMemory({"videos": 3}, seed=0, **tca),
                 EncodedMemory({"videos": 3}, K=2, seed=1, **tca),
                 CondensedMemory({"videos": 3}, K=2, seed=2, inversion_steps=4, **tca)]
        for memory in built:
            memory.add_task(0, videos, MemoryContext(CPU, num_classes=5, seed=7, tca_cache=cache))
        return built

    shared = memories(tmp_path)
    assert [m.tca_origins[0].how for m in shared] == [TRAINED, LOADED, LOADED] and len(training_count) == 1
    separate = memories(None)
    assert len(training_count) == 4
    for a, b in zip(shared, separate):
        for x, y in zip(a.replay(CPU), b.replay(CPU)):
            assert x.name == y.name and (x.features == y.features).all()


def test_concurrent_callers_wait_on_the_lock_and_train_once(tmp_path, training_count):
    """Two callers at once (threads here; `--jobs` processes take the same file lock)."""
    videos = procedural_videos(num_videos=3)
    start = threading.Barrier(2)
    origins = []

    def call():
        start.wait()
        origins.append(shared_tca(tmp_path, videos, 5, CPU, **PARAMS)[1].how)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(origins) == [LOADED, TRAINED] and training_count == [5]
