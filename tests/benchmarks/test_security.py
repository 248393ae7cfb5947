"""Files from someone else cannot make itas write outside its output folder or run code: names read
from bundles, activities files, memory files and prediction folders are names, never paths; and a
checkpoint or memory file that would run code when unpickled is refused before anything runs."""
import numpy as np
import pytest
import torch
from itas_cli import run_cli
from bad_input_cases import ACTIONS, VIDEOS, CreatesFile, dataset, malicious_checkpoint, memory_file
from tiny_config import tiny_config, write_config

from replay.files import seal, unseal
from tasks.mstcn import write_dataset

pytestmark = pytest.mark.usefixtures("itas_cache")
VICTIM = "P09_cam01_P09_cereals"


def victim(tmp_path):
    """A user's own dataset beside the one given to itas, whose ground truth must stay untouched."""
    rng = np.random.default_rng(3)
    root = write_dataset(tmp_path / "mine", ACTIONS, [(VICTIM, rng.normal(size=(6, 3)).astype(np.float32),
                                                      np.array([0, 1, 1, 1, 2, 2]))], {})
    truth = root / "groundTruth" / f"{VICTIM}.txt"
    # its features beside its ground truth too: a bundle line naming this path would find both
    np.save(truth.with_suffix(".npy"), np.load(root / "features" / f"{VICTIM}.npy"))
    return truth, truth.read_bytes()


def files(folder):
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def check_refused(code, stderr, command, expected):
    assert code == 2, stderr
    assert stderr.startswith(f"itas {command}: error: ") and stderr.count("\n") == 1, stderr
    assert expected in stderr and "Traceback" not in stderr, stderr


def bundle_line(kind, truth):
    return str(truth.with_suffix("")) if kind == "absolute" else f"../../mine/groundTruth/{VICTIM}"


@pytest.mark.parametrize("kind", ["absolute", "climbing"])
def test_a_bundle_line_that_is_a_path_is_refused_and_the_users_ground_truth_untouched(tmp_path, kind):
    truth, original = victim(tmp_path)
    root = dataset(tmp_path / "data")
    bundle = root / "splits" / "test.split1.bundle"
    bundle.write_text(f"{bundle_line(kind, truth)}.txt\n")
    cfg = tiny_config(data={"root": str(root), "dataset": "breakfast"}, protocol={"tasks": 1, "seeds": [42]},
                      strategies=["finetune"], budgets=[{"videos": 2}], output={"save_predictions": "all"})
    before = files(tmp_path)
    code, _, stderr = run_cli("run", str(write_config(tmp_path / "c.yaml", cfg)), "--out", str(tmp_path / "out"),
                              "--device", "cpu", "--no-progress", "--jobs", "1")
    check_refused(code, stderr, "run", f"{bundle} line 1: name ")
    assert "is not a plain file name (contains a path separator)" in stderr
    assert truth.read_bytes() == original
    assert files(tmp_path) == {**before, tmp_path / "c.yaml": files(tmp_path)[tmp_path / "c.yaml"]}
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../../x", "..", "a\x07b"])
def test_an_activities_file_naming_a_path_is_refused(tmp_path, name):
    root = dataset(tmp_path / "data")
    activities = tmp_path / "activities.txt"
    activities.write_text("".join(f"{video} cereals\n" for video in VIDEOS) + f"{name} cereals\n")
    code, _, stderr = run_cli("check", str(root), "--activities", str(activities))
    check_refused(code, stderr, "check", f"{activities}:5: name ")


@pytest.mark.parametrize("stored", ["/tmp/evil", "../../evil", "sample0:../../evil"])
def test_a_memory_file_storing_a_path_as_video_name_writes_nothing_outside(tmp_path, stored):
    path = memory_file(tmp_path / "m.pt")
    content = unseal(torch.load(path, weights_only=True), path)
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    tasks["items"][0]["fields"]["records"]["items"][0]["fields"]["name"] = stored
    torch.save(seal(content), path)  # anyone can recompute the checksum
    before = files(tmp_path)
    code, _, stderr = run_cli("replay", str(path), "--out", str(tmp_path / "deep" / "out"), "--device", "cpu")
    check_refused(code, stderr, "replay", f"{path}: task 0: stored video: name ")
    assert files(tmp_path) == before


def test_a_prediction_folder_with_a_line_break_in_a_name_is_one_line(tmp_path):
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    for folder in ("gt", "pred"):
        (tmp_path / folder / "v\nx.txt").write_text("a\na\n")
    code, _, stderr = run_cli("eval", "--gt", str(tmp_path / "gt"), "--pred", str(tmp_path / "pred"))
    check_refused(code, stderr, "eval", "contains a control or invisible character")


def test_a_checkpoint_that_would_run_code_is_refused_before_anything_runs(tmp_path):
    argv, _ = malicious_checkpoint(tmp_path)
    before = files(tmp_path)
    code, _, stderr = run_cli(*argv)
    check_refused(code, stderr, "run", ".ckpt: refused, it asks for io.open;")
    assert not (tmp_path / "pwned").exists()
    assert files(tmp_path) == before


@pytest.mark.parametrize("where", ["outer", "inner"])
def test_a_memory_file_that_would_run_code_is_refused(tmp_path, where):
    marker, path = tmp_path / "pwned", tmp_path / "m.pt"
    if where == "outer":
        torch.save({"format": "itas-memory", "payload": CreatesFile(marker)}, path)
    else:  # sealed with a valid checksum
        torch.save(seal({"memory": "mean", "state": CreatesFile(marker)}), path)
    code, _, stderr = run_cli("replay", str(path), "--out", str(tmp_path / "out"), "--device", "cpu")
    check_refused(code, stderr, "replay", f"{path}: refused, it asks for io.open;")
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_a_memory_file_naming_a_plugin_imports_nothing(tmp_path, monkeypatch):
    """A plugin name in a memory file would import the module it names: refused before any import."""
    marker = tmp_path / "imported"
    (tmp_path / "planted_memory.py").write_text(f"open({str(marker)!r}, 'w').close()\nclass Memory: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = memory_file(tmp_path / "m.pt")
    content = unseal(torch.load(path, weights_only=True), path)
    torch.save(seal({**content, "memory": "planted_memory:Memory"}), path)
    code, _, stderr = run_cli("replay", str(path), "--out", str(tmp_path / "out"), "--device", "cpu")
    check_refused(code, stderr, "replay", f"{path}: memory 'planted_memory:Memory' is not one of original, mean")
    assert not marker.exists() and not (tmp_path / "out").exists()
