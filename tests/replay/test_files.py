"""Memory files: every memory round-trips to the same replay, and damaged files are one-line errors."""
import numpy as np
import pytest
import torch
from synthetic_segments import procedural_videos

from replay.files import load_memory, save_memory, seal, unseal
from replay.memory import MemoryContext
from replay.registry import make_memory
from tasks.errors import DataError

CPU = torch.device("cpu")
TINY = dict(latent=4, hidden=16, tca_epochs=5, batch_frames=128)
PARAMS = {
    "original": {}, "mean": {}, "coreset": {},
    "tca": TINY, "encoded": {"K": 2, **TINY},
    "condensed": {"K": 2, "code_dtype": "int8", "inversion_steps": 5, **TINY},
}
CLASSES = [f"act/a{i}" for i in range(10)]


def _filled(name: str, budget=None):
    memory = make_memory(name, budget or {"videos": 4}, **PARAMS[name])
    for task in range(2):
        videos = procedural_videos(num_videos=5, num_classes=5, seed=task + 1)
        for video in videos:
            video.labels = video.labels + 5 * task
        memory.add_task(task, videos, MemoryContext(CPU, len(CLASSES), seed=3))
    return memory


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("memories")
    return {name: (_filled(name), save_memory(folder / f"{name}.pt", _filled(name), name, PARAMS[name], CLASSES))
            for name in PARAMS}


@pytest.mark.parametrize("name", list(PARAMS))
def test_round_trip_gives_the_same_bytes_and_replay(saved, name):
    memory, path = saved[name]
    loaded = load_memory(path)
    assert (loaded.name, loaded.params, loaded.classes) == (name, PARAMS[name], CLASSES)
    assert loaded.memory.nbytes() == memory.nbytes()
    assert loaded.memory.stored() == memory.stored()
    expected, replayed = memory.replay(CPU), loaded.memory.replay(CPU)
    assert [v.name for v in replayed] == [v.name for v in expected]
    for got, want in zip(replayed, expected):
        np.testing.assert_array_equal(got.labels, want.labels)
        np.testing.assert_array_equal(got.features, want.features)  # tca: same draw count, same samples


def test_byte_budget_and_count_decoders_survive(tmp_path):
    memory = _filled("condensed", {"bytes": "20KB", "count_decoders": False})
    loaded = load_memory(save_memory(tmp_path / "m.pt", memory, "condensed", PARAMS["condensed"], CLASSES)).memory
    assert (loaded.budget.bytes, loaded.budget.count_decoders) == (20_000, False)


def _damaged(tmp_path, saved, edit, name="condensed") -> str:
    """The saved file with its records edited and re-sealed (a valid checksum), so the edit reaches
    the checks behind the checksum."""
    return str(reseal(saved[name][1], edit, tmp_path / "damaged.pt"))


def reseal(source, edit, path):
    """A copy of memory file `source` with `edit` applied to its records, sealed with a valid checksum."""
    content = unseal(torch.load(source, weights_only=True), source)
    edit(content)
    torch.save(seal(content), path)
    return path


def _first_record_codes(content):
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    record = tasks["items"][0]["fields"]["records"]["items"][0]
    return record["fields"]["held"]["items"][0][1]["fields"]


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(memory="nope"), "memory 'nope' is not one of original, mean"),
    (lambda c: c.update(params={"K": 0}), "K"),
    (lambda c: c.update(classes=CLASSES[:7]), r"decoder \(latent, hidden, classes\) \(4, 16, 10\), expected \(4, 16, 7\)"),
    (lambda c: _first_record_codes(c).update(values={"$": "tensor", "data": torch.zeros(1, 4, dtype=torch.int8)}),
     "corrupted memory file .*codes of shape \\(1, 4\\)"),
    (lambda c: c["state"].update({"$": "Popen"}), "corrupted memory file \\(unknown record type 'Popen'\\)"),
    (lambda c: c.pop("state"), "corrupted memory file \\('state'\\)"),
])
def test_damaged_content_is_one_line_naming_the_file(tmp_path, saved, edit, message):
    path = _damaged(tmp_path, saved, edit)
    with pytest.raises(DataError, match=message) as err:
        load_memory(path)
    assert str(err.value).startswith(path) and "\n" not in str(err.value)


def test_unreadable_files(tmp_path, saved):
    data = saved["original"][1].read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    noise = tmp_path / "noise.pt"
    noise.write_bytes(np.random.default_rng(0).bytes(1000))
    for path in (truncated, noise):
        with pytest.raises(DataError, match=f"^{path}: not a readable memory file"):
            load_memory(path)
    with pytest.raises(DataError, match="memory file not found"):
        load_memory(tmp_path / "absent.pt")


def test_files_never_pickle_code(tmp_path):
    """A torch file carrying an arbitrary object is refused by weights_only loading."""
    path = tmp_path / "evil.pt"
    torch.save({"format": "itas-memory", "version": 1, "payload": np.random.default_rng(0)}, path)
    with pytest.raises(DataError, match=f"^{path}: refused, it asks for numpy.random._pickle.__generator_ctor;"):
        load_memory(path)


@pytest.mark.parametrize("change, message", [
    ({"format": "other"}, "not an itas memory file"),
    ({"version": 99}, "memory file version 99, expected 2"),
    ({"payload": "text"}, "corrupted memory file \\(no payload\\)"),
])
def test_damaged_header(tmp_path, saved, change, message):
    outer = torch.load(saved["original"][1], weights_only=True)
    outer.update(change)
    path = tmp_path / "header.pt"
    torch.save(outer, path)
    with pytest.raises(DataError, match=message):
        load_memory(path)


def test_flipped_bytes_anywhere_in_the_payload_fail_the_checksum(tmp_path, saved):
    """64 flipped bytes inside decoder weights loaded silently before the checksum existed."""
    data = bytearray(saved["condensed"][1].read_bytes())
    weights = data.find(b"PK", len(data) // 2)  # a later archive member: tensor data
    for offset in range(weights - 64, weights):
        data[offset] ^= 0xFF
    path = tmp_path / "flipped.pt"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=f"^{path}: (checksum mismatch|not a readable memory file)"):
        load_memory(path)


def _decoder_weights(content):
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    state = tasks["items"][0]["fields"]["state"]["items"]
    return next(value for key, value in state if key == "decoders")["weights"]


def _first_record(content):
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    return tasks["items"][0]["fields"]["records"]["items"][0]["fields"]


def _set_first_weight(weights, value):
    first = next(iter(weights))
    weights[first] = torch.full_like(weights[first], value)


@pytest.mark.parametrize("name, edit, message", [
    ("condensed", lambda c: _set_first_weight(_decoder_weights(c), float("nan")), "task 0: holds NaN or inf"),
    ("condensed", lambda c: _first_record(c).update(num_frames=_first_record(c)["num_frames"] + 1),
     "num_frames .* but its transcript spans"),
    ("original", lambda c: _first_record(c)["held"]["items"][0][1].update(
        data=torch.zeros(_first_record(c)["num_frames"], 17)), r"v\d: features of shape \(\d+, 17\), but 3 of 4 stored videos have width 16"),
])
def test_decoded_content_is_checked(tmp_path, saved, name, edit, message):
    path = _damaged(tmp_path, saved, edit, name)
    with pytest.raises(DataError, match=message):
        load_memory(path)
