"""`itas run` with output.save_memories writes one memory file per replay run; `itas replay` decodes
one into an MS-TCN folder the reader accepts, and refuses damaged files with one line."""
import json

import numpy as np
import pytest
import torch
from itas_cli import itas_run, run_cli
from tiny_config import TCA, tiny_config, write_config

from benchmarks.commands.replay import file_name
from replay.files import load_memory, seal, unseal
from tasks.mstcn import read_features, read_labels, read_mapping
from tasks.video import Video

pytestmark = pytest.mark.usefixtures("itas_cache")

STRATEGIES = ["finetune", "mean", {"name": "condensed", "params": {"K": 2, **TCA, "inversion_steps": 5}}, "icarl"]


@pytest.fixture(scope="module")
def memories(tmp_path_factory, itas_cache):
    folder = tmp_path_factory.mktemp("saved")
    cfg = tiny_config(strategies=STRATEGIES, budgets=[{"videos": 10}], output={"save_memories": True})
    code, _, stderr = itas_run(write_config(folder / "tiny.yaml", cfg), folder / "out")
    assert code == 0, stderr
    return folder / "out" / "memories"


def test_one_file_per_replay_memory_run(memories):
    # finetune keeps nothing; iCaRL's exemplar clips are not a replay memory file
    assert sorted(p.name for p in memories.iterdir()) == [
        "condensed__videos=10__seed42.pt", "mean__videos=10__seed42.pt"]
    loaded = load_memory(memories / "condensed__videos=10__seed42.pt")
    assert loaded.params == {"K": 2, **TCA, "inversion_steps": 5, "seed": 42}
    assert loaded.memory.stored().keys() == {0, 1, 2, 3, 4}  # 10 videos over 5 tasks: 2 each
    assert [held["videos"] for held in loaded.memory.stored().values()] == [2] * 5
    assert len(loaded.classes) == 84


def test_replay_writes_an_mstcn_folder(memories, tmp_path):
    path = memories / "condensed__videos=10__seed42.pt"
    code, stdout, stderr = run_cli("replay", str(path), "--out", str(tmp_path / "data"), "--device", "cpu")
    assert code == 0, stderr
    data = tmp_path / "data"
    ids = {name: i for i, name in enumerate(read_mapping(data / "mapping.txt"))}
    names = (data / "splits" / "train.split1.bundle").read_text().split()
    assert len(names) == 10 and all(n.endswith(".txt") and ":" not in n for n in names)
    expected = load_memory(path).memory.replay("cpu")
    for name, video in zip(names, expected):
        assert np.load(data / "features" / name.replace(".txt", ".npy")).shape == (16, video.num_frames)  # (D, T)
        np.testing.assert_array_equal(read_features(data / "features" / name.replace(".txt", ".npy")), video.features)
        np.testing.assert_array_equal(read_labels(data / "groundTruth" / name, ids), video.labels)
    described = json.loads((data / "memory.json").read_text())
    assert (described["memory"], described["budget"], described["videos"]) == ("condensed", "videos=10", 10)
    assert described["bytes"]["codes"] > 0 and described["bytes"]["decoders"] > 0


def test_damaged_memory_file_is_one_line_and_writes_nothing(memories, tmp_path):
    data = (memories / "mean__videos=10__seed42.pt").read_bytes()
    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(data[:-200])
    code, _, stderr = run_cli("replay", str(damaged), "--out", str(tmp_path / "data"), "--device", "cpu")
    assert code == 2 and stderr.count("\n") == 1
    assert stderr.startswith(f"itas replay: error: {damaged}: not a readable memory file")
    assert not (tmp_path / "data").exists()


def test_existing_output_is_refused(memories, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.txt").write_text("mine")
    code, _, stderr = run_cli("replay", str(memories / "mean__videos=10__seed42.pt"), "--out", str(tmp_path / "data"),
                              "--device", "cpu")
    assert (code, stderr) == (2, f"itas replay: error: {tmp_path / 'data'}: output exists and is not an empty folder\n")


def test_file_names_drop_the_replay_prefix_and_keep_the_activity():
    video = lambda name: Video(name, "tea", np.zeros((2, 4), np.float32), np.zeros(2, np.int64))
    assert file_name(video("replay:3:P03_cam01_P03_tea")) == "P03_cam01_P03_tea"
    assert file_name(video("replay:3:sample2:P03_cam01_P03_tea")) == "sample2_P03_cam01_P03_tea"  # tca draws


def test_a_file_that_loads_but_cannot_decode_names_the_file(memories, tmp_path):
    source = memories / "mean__videos=10__seed42.pt"
    content = unseal(torch.load(source, weights_only=True), source)
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    record = tasks["items"][0]["fields"]["records"]["items"][0]
    features = next(value for key, value in record["fields"]["held"]["items"] if key == "features")
    features["data"] = features["data"][:1]  # one segment mean left for a multi-segment transcript
    damaged = tmp_path / "damaged.pt"
    torch.save(seal(content), damaged)
    code, _, stderr = run_cli("replay", str(damaged), "--out", str(tmp_path / "data"), "--device", "cpu")
    assert code == 2 and stderr.count("\n") == 1
    assert stderr.startswith(f"itas replay: error: {damaged}: corrupted memory file, cannot decode it (")
    assert not (tmp_path / "data").exists()
