"""Builders of the bad-input catalogue's cases (test_bad_input_catalogue.py): tiny datasets, configs,
memory files, run folders and planted pickles, each made wrong in one way."""
import errno
from pathlib import Path

import numpy as np
import torch
from tiny_config import tiny_config, write_config

import tasks.atomic_files
from benchmarks.config import resolve_config
from benchmarks.orchestration.checkpoints import checkpoint_path, save_checkpoint
from benchmarks.orchestration.fingerprints import fingerprint, run_config
from benchmarks.orchestration.runner import plan_runs
from replay.files import save_memory, seal, unseal
from replay.memory import MemoryContext
from replay.registry import make_memory
from tasks.mstcn import write_dataset
from tasks.video import Video


ACTIONS = ["SIL", "take_bowl", "pour_milk"]
VIDEOS = [f"P{i:02d}_cam01_P{i:02d}_cereals" for i in range(3, 7)]  # 3 train, 1 test
RUN_ONLY = {"strategies": ["finetune"], "budgets": [{"videos": 4}]}


def dataset(root: Path) -> Path:
    """Four 3-d cereals videos of 6 frames in the MS-TCN layout."""
    rng = np.random.default_rng(0)
    videos = [(name, rng.normal(size=(6, 3)).astype(np.float32), np.array([0, 1, 1, 1, 2, 2])) for name in VIDEOS]
    return write_dataset(root, ACTIONS, videos, {"train.split1": VIDEOS[:3], "test.split1": VIDEOS[3:]})


def feature(root: Path, index: int = 1) -> Path:
    return root / "features" / f"{VIDEOS[index]}.npy"


def ground_truth(root: Path, index: int = 1) -> Path:
    return root / "groundTruth" / f"{VIDEOS[index]}.txt"


def check_case(edit):
    """`itas check` on the dataset after `edit(root)`; nothing is written by check."""
    def case(tmp: Path):
        root = dataset(tmp / "data")
        edit(root)
        return ["check", str(root), "--dataset", "breakfast"], tmp / "nothing"
    return case


def estimate_case(listed: list[str] = VIDEOS, edit=lambda root: None):
    """`itas estimate` on a custom dataset whose activities file lists only `listed` of its videos,
    after `edit(root)` (it counts the frames of every groundTruth file)."""
    def case(tmp: Path):
        root = dataset(tmp / "data")
        edit(root)
        (tmp / "acts.txt").write_text("".join(f"{name} cereals\n" for name in listed))
        path = tmp / "bad.yaml"
        write_config(path, tiny_config(data={"root": str(root), "dataset": "custom", "activities": str(tmp / "acts.txt")},
                                       protocol={"tasks": 1}))
        return ["estimate", str(path)], tmp / "nothing"
    return case


def config_case(cfg=None, text=None):
    """`itas run` on a config (a mapping written as YAML, or raw bytes) into tmp/out."""
    def case(tmp: Path):
        path = tmp / "bad.yaml"
        if text is not None:
            path.write_bytes(text)
        else:
            write_config(path, cfg)
        return ["run", str(path), "--out", str(tmp / "out"), "--device", "cpu", "--jobs", "1", "--no-progress"], tmp / "out"
    return case


def out_case(make_out, fail_errno=None):
    """`itas run` on a valid one-strategy config with --out made by `make_out(tmp)`; `fail_errno`
    makes creating files fail as on a read-only filesystem or without permission (root ignores chmod)."""
    def case(tmp: Path, monkeypatch):
        path = write_config(tmp / "ok.yaml", tiny_config(**RUN_ONLY))
        out = make_out(tmp)
        if fail_errno is not None:
            def refuse(*args, **kwargs):
                raise OSError(fail_errno, "refused by the test")
            monkeypatch.setattr(tasks.atomic_files.tempfile, "mkstemp", refuse)
        return ["run", str(path), "--out", str(out), "--device", "cpu", "--jobs", "1", "--no-progress"], out
    return case


def no_slurm_case(tmp: Path, monkeypatch):
    """`itas run --executor slurm` where no SLURM client command is on PATH."""
    monkeypatch.setenv("PATH", str(tmp / "empty"))
    return ["run", "--executor", "slurm", "--out", str(tmp / "out"), "--no-progress"], tmp / "out"


def a_file(tmp: Path) -> Path:
    (tmp / "file.txt").write_text("mine")
    return tmp / "file.txt"


def metrics_lines(tasks: int = 2) -> list[str]:
    rows = [f"finetune,none,42,{i},{j},acc,{50 + i + j}" for i in range(tasks) for j in range(tasks)]
    return ["strategy,budget,seed,train_task,eval_task,metric,value", *rows]


def plugin_case(module: str, source: str, entry_points: str = "", **sections):
    """`itas run` on a tiny config naming a plugin (a strategy, or `backbone.name` in `sections`):
    `source` is module `module` in a folder put on sys.path, beside an installed package's
    metadata declaring `entry_points` (module names differ per case: Python caches imports)."""
    def case(tmp: Path, monkeypatch):
        site = tmp / "site"
        (site / "itas_case-0.dist-info").mkdir(parents=True)
        (site / "itas_case-0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: itas-case\nVersion: 0\n")
        (site / "itas_case-0.dist-info" / "entry_points.txt").write_text(entry_points)
        (site / f"{module}.py").write_text(source)
        monkeypatch.syspath_prepend(str(site))
        cfg = tiny_config(**{"strategies": [f"{module}:Memory"], "budgets": [{"videos": 4}], **sections})
        return config_case(cfg)(tmp)
    return case


MEMORY_WITHOUT_STORED = """class Memory:
    def __init__(self, budget, seed=None): pass
    def add_task(self, task, videos, ctx): pass
    def replay(self, device): return []
    def nbytes(self): return {}
    def nbytes_by_task(self): return {}
    def check_feasible(self, task_videos, ctx=None): pass
"""


def report_case(edit):
    """`itas report` on a consistent 2-task run folder after `edit(folder)`, into tmp/out."""
    def case(tmp: Path):
        folder = tmp / "run"
        folder.mkdir()
        (folder / "metrics.csv").write_text("\n".join(metrics_lines()) + "\n")
        (folder / "memory.csv").write_text("strategy,budget,seed,after_task,task,component,bytes,videos,frames\n")
        edit(folder)
        return ["report", str(folder), "--out", str(tmp / "out")], tmp / "out"
    return case


def eval_case(edit):
    """`itas eval` on one ground-truth file and its prediction after `edit(gt, pred)`."""
    def case(tmp: Path):
        gt, pred = tmp / "gt", tmp / "pred"
        gt.mkdir()
        pred.mkdir()
        (gt / "v.txt").write_text("SIL\na\na\nSIL\n")
        (pred / "v.txt").write_text("SIL\na\nSIL\nSIL\n")
        edit(gt, pred)
        return ["eval", "--gt", str(gt), "--pred", str(pred)], tmp / "nothing"
    return case


def memory_file(path: Path) -> Path:
    memory = make_memory("mean", {"videos": 4})
    rng = np.random.default_rng(1)
    videos = [Video(f"v{i}", "cereals", rng.normal(size=(8, 3)).astype(np.float32), np.repeat([0, 1], 4))
              for i in range(3)]
    memory.add_task(0, videos, MemoryContext(torch.device("cpu"), 2, seed=0))
    return save_memory(path, memory, "mean", {}, ACTIONS[:2])


def memory_case(edit=None, records=None):
    """`itas replay` of a saved memory file damaged by `edit(path)` on its bytes or by `records(content)`
    on its records (re-sealed with a valid checksum), into tmp/data."""
    def case(tmp: Path):
        path = memory_file(tmp / "m.pt")
        if edit is not None:
            edit(path)
        if records is not None:
            content = unseal(torch.load(path, weights_only=True), path)
            records(content)
            torch.save(seal(content), path)
        return ["replay", str(path), "--out", str(tmp / "data"), "--device", "cpu"], tmp / "data"
    return case


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    path.write_bytes(bytes(data))


def first_features(content) -> dict:
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    record = tasks["items"][0]["fields"]["records"]["items"][0]
    return next(value for key, value in record["fields"]["held"]["items"] if key == "features")


def set_first_features(content, values) -> None:
    first_features(content)["data"] = values


def write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def npy_of(array: np.ndarray, path: Path) -> None:
    np.save(path, array)


def npy_claiming(shape: tuple[int, ...], path: Path) -> None:
    """A valid .npy header claiming `shape` float32, followed by a few bytes of data."""
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f4", "fortran_order": False, "shape": shape})
        handle.write(b"\0" * 64)


def activities_case(line: str = "", pattern: str | None = None):
    """`itas check` of the dataset with an activities file (every video, then `line`) or a pattern."""
    def case(tmp: Path):
        root = dataset(tmp / "data")
        if pattern is not None:
            return ["check", str(root), "--activity-pattern", pattern], tmp / "nothing"
        (tmp / "activities.txt").write_text("".join(f"{video} cereals\n" for video in VIDEOS) + line)
        return ["check", str(root), "--activities", str(tmp / "activities.txt")], tmp / "nothing"
    return case


def write_record(folder: Path, text: str) -> None:
    (folder / "runs").mkdir()
    (folder / "runs" / "finetune__none__seed42.json").write_text(text)


def full_disk(tmp: Path, monkeypatch):
    """`itas report` on a valid run folder when the disk fills up while writing its first file."""
    argv, out = report_case(lambda f: None)(tmp)
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(tasks.atomic_files.os, "replace", no_space)
    return argv, out


def rename_stored_video(content, name: str) -> None:
    tasks = next(value for key, value in content["state"]["items"] if key == "tasks")
    tasks["items"][0]["fields"]["records"]["items"][0]["fields"]["name"] = name


class CreatesFile:
    """Unpickled without weights_only, this creates the file `path`: any code could run instead."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")


def malicious_checkpoint(tmp: Path):
    """`itas run` into a folder holding a checkpoint of this very config (its header's fingerprint
    and checksum valid) whose payload would create a file when unpickled."""
    cfg = tiny_config(**RUN_ONLY)
    run = plan_runs(resolve_config(cfg))[0]
    parts = run_config(resolve_config(cfg), run.strategy, run.budget, run.seed)
    save_checkpoint(checkpoint_path(tmp / "out", run.key), {"task": 0, "model": CreatesFile(tmp / "pwned")},
                    fingerprint(parts), parts)
    path = write_config(tmp / "ok.yaml", cfg)
    return ["run", str(path), "--out", str(tmp / "out"), "--device", "cpu", "--jobs", "1", "--no-progress"], tmp / "nothing"


# Nine anchors of nine aliases each: 10^9 values once expanded, 400 bytes of text.
BILLION_LAUGHS = ("lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))).encode()
