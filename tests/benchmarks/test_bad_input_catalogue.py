"""The catalogue of bad inputs (docs/reference/bad-input.md): every case through the real command line, each
ending with one line on stderr that names the file or key and what was expected, exit code 2, no
traceback and no output left behind."""
import errno
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from itas_cli import run_cli
from tiny_config import tiny_config

from bad_input_cases import (
    BILLION_LAUGHS, CreatesFile, MEMORY_WITHOUT_STORED, VIDEOS, a_file, activities_case,
    check_case, config_case, dataset, estimate_case, eval_case, feature,
    first_features, flip_bytes, full_disk, ground_truth, malicious_checkpoint, memory_case,
    metrics_lines, no_slurm_case, npy_claiming, npy_of, out_case, plugin_case,
    rename_stored_video, report_case, set_first_features, write_bytes, write_record,
)

pytestmark = pytest.mark.usefixtures("itas_cache")


CATALOGUE = {
    # dataset folders (itas check; itas run reads through the same reader)
    "empty .npy (0 bytes)": (check_case(lambda r: write_bytes(feature(r), b"")), "P04_cam01_P04_cereals.npy: empty file (0 bytes)"),
    "text file named .npy": (check_case(lambda r: feature(r).write_text("0.1 0.2\n")), ".npy: not a .npy file (no NumPy header)"),
    "truncated .npy": (check_case(lambda r: write_bytes(feature(r), feature(r).read_bytes()[:100])), ".npy: not a readable .npy array"),
    "non-UTF-8 groundTruth": (check_case(lambda r: write_bytes(ground_truth(r), b"SIL\n\xff\xfe\n")), "P04_cam01_P04_cereals.txt: not UTF-8 text (byte 0xff"),
    "non-UTF-8 mapping.txt": (check_case(lambda r: write_bytes(r / "mapping.txt", b"0 SIL\n1 caf\xe9\n")), "mapping.txt: not UTF-8 text (byte 0xe9"),
    "non-UTF-8 bundle": (check_case(lambda r: write_bytes(r / "splits" / "test.split1.bundle", b"\xff.txt\n")), "test.split1.bundle: not UTF-8 text"),
    "transposed features (T, D)": (check_case(lambda r: npy_of(np.zeros((6, 3), np.float32), feature(r))), "(transposed? features must be (D, T))"),
    "non-numeric features": (check_case(lambda r: npy_of(np.full((3, 6), "x"), feature(r))), ".npy: expected numeric features, got dtype <U1"),
    "zero-length video": (check_case(lambda r: (npy_of(np.zeros((3, 0), np.float32), feature(r)), ground_truth(r).write_text(""))), "P04_cam01_P04_cereals.txt: no labels"),
    "odd feature width names the odd file": (check_case(lambda r: npy_of(np.zeros((4, 6), np.float32), feature(r))), "P04_cam01_P04_cereals.npy: feature dimension 4, but 3 of 4 videos have 3"),
    "NaN features": (check_case(lambda r: npy_of(np.full((3, 6), np.nan, np.float32), feature(r))), ".npy: features contain NaN or inf"),
    "label not in mapping.txt": (check_case(lambda r: ground_truth(r).write_text("SIL\nstir\nSIL\nSIL\nSIL\nSIL\n")), "P04_cam01_P04_cereals.txt line 2: label 'stir' not in mapping.txt"),
    "duplicate mapping id": (check_case(lambda r: (r / "mapping.txt").write_text("0 SIL\n1 take_bowl\n1 pour_milk\n")), "mapping.txt line 3: id 1 or name 'pour_milk' repeated"),
    "non-contiguous mapping ids": (check_case(lambda r: (r / "mapping.txt").write_text("0 SIL\n1 take_bowl\n3 pour_milk\n")), "mapping.txt: ids must be 0..2, got [0, 1, 3]"),
    "bundle line that is an absolute path": (check_case(lambda r: (r / "splits" / "test.split1.bundle").write_text(f"{ground_truth(r)}\n")), "is not a plain file name (contains a path separator)"),
    "bundle line climbing with ../": (check_case(lambda r: (r / "splits" / "test.split1.bundle").write_text(f"../groundTruth/{VIDEOS[3]}.txt\n")), f"test.split1.bundle line 1: name '../groundTruth/{VIDEOS[3]}' is not a plain file name"),
    "video listed twice in a bundle": (check_case(lambda r: (r / "splits" / "train.split1.bundle").write_text("".join(f"{v}.txt\n" for v in VIDEOS[:3] + VIDEOS[:1]))), f"train.split1.bundle line 4: video '{VIDEOS[0]}' listed twice"),
    "video in both train and test": (check_case(lambda r: (r / "splits" / "test.split1.bundle").write_text(f"{VIDEOS[3]}.txt\n{VIDEOS[0]}.txt\n")), f"test.split1.bundle: video '{VIDEOS[0]}' is also in train.split1.bundle (1 shared); train and test must not overlap"),
    "complex features": (check_case(lambda r: npy_of(np.ones((3, 6), np.complex64), feature(r))), ".npy: expected real features, got complex dtype complex64"),
    "zero-width features": (check_case(lambda r: npy_of(np.zeros((0, 6), np.float32), feature(r))), ".npy: features of zero width (shape (0, 6))"),
    "features beyond float32's range": (check_case(lambda r: npy_of(np.full((3, 6), 1e300), feature(r))), ".npy: features contain NaN or inf (or values beyond float32's range)"),
    ".npy header claiming 10^6 x 10^6": (check_case(lambda r: npy_claiming((10**6, 10**6), feature(r))), ".npy: not a readable .npy array (its header claims shape (1000000, 1000000) of float32, 4000000000000 bytes, but the file holds 64)"),
    "mapping id that is not an ASCII digit": (check_case(lambda r: (r / "mapping.txt").write_text("0 SIL\n\u00b2 take_bowl\n1 pour_milk\n")), "mapping.txt line 2: expected '<id> <name>', got '\u00b2 take_bowl'"),
    "activities file naming a path": (activities_case("../../etc/passwd cereals\n"), "activities.txt:5: name '../../etc/passwd' is not a plain file name (contains a path separator)"),
    "activity_pattern that backtracks forever": (activities_case(pattern=r"^((?:\w|\w)+)+\d$"), "took over 0.5 s on video"),
    "video in bundle without features": (check_case(lambda r: feature(r).unlink()), ".npy: feature file not found (listed in a split bundle)"),
    # configs
    "empty config file": (config_case(text=b""), "bad.yaml: empty config, expected sections"),
    "non-UTF-8 config": (config_case(text=b"train: {epochs: 1}\n# \xff\n"), "bad.yaml: not UTF-8 text"),
    "config not YAML": (config_case(text=b"train: [epochs\n"), "bad.yaml: not valid YAML"),
    "unknown config key": (config_case(tiny_config(train={"epoch": 1})), "unknown key 'train.epoch'"),
    "protocol.tasks not dividing the activities": (config_case(tiny_config(protocol={"tasks": 3})), "bad.yaml: 'protocol.tasks' is 3, expected a divisor of the 10 activities"),
    "negative train.epochs": (config_case(tiny_config(train={"epochs": -1})), "'train.epochs' must be a positive integer, got -1"),
    "text train.lr": (config_case(tiny_config(train={"lr": "fast"})), "'train.lr' must be a positive number, got 'fast'"),
    "backbone.dropout out of range": (config_case(tiny_config(backbone={"dropout": 1.5})), "'backbone.dropout' must be a number in [0, 1), got 1.5"),
    "unknown strategy": (config_case(tiny_config(strategies=["nope"])), "unknown strategy 'nope'"),
    "protocol.labels not a choice": (config_case(tiny_config(protocol={"tasks": 5, "labels": "mixed"})), "'protocol.labels' is 'mixed'; expected one of disjoint, blurry"),
    "data.sample_rate zero": (config_case(tiny_config(data={"sample_rate": 0})), "'data.sample_rate' must be a positive integer or null, got 0"),
    "output.keep_checkpoints not a boolean": (config_case(tiny_config(output={"keep_checkpoints": "yes"})), "'output.keep_checkpoints' must be true or false"),
    "budget with an unknown key": (config_case(tiny_config(budgets=[{"frames": 3}])), "bad.yaml: 'budgets[0]': budget: unknown key 'frames'"),
    "unknown strategy parameter": (config_case(tiny_config(strategies=[{"name": "mean", "params": {"k": 1}}])), "memory mean: unknown parameter 'k'"),
    "negative EWC lambda": (config_case(tiny_config(strategies=[{"name": "ewc", "params": {"lambda": -1}}])), "strategies.ewc: parameter 'lambda' must be a number >= 0, got -1"),
    "byte budget below EWC's arrays": (config_case(tiny_config(strategies=["ewc"], budgets=[{"bytes": "1KB"}])), "budget bytes=1KB cannot hold ewc's importance and anchor arrays (2 x "),
    "byte budget below one DER++ video": (config_case(tiny_config(strategies=["derpp"], budgets=[{"bytes": "1KB"}])), "budget bytes=1KB cannot hold one video of task 0"),
    "unknown cluster key": (config_case(tiny_config(cluster={"cpus": 2})), "bad.yaml: unknown key 'cluster.cpus'"),
    "negative cluster.cpus_per_task": (config_case(tiny_config(cluster={"cpus_per_task": -2})), "'cluster.cpus_per_task' must be a positive integer or null, got -2"),
    "NaN train.lr": (config_case(text=b"train: {lr: .nan}\n"), "bad.yaml: 'train.lr' must be a positive number, got nan"),
    "infinite train.lr": (config_case(text=b"train: {lr: 1e400}\n"), "bad.yaml: 'train.lr' must be a positive number, got inf"),
    "data.root a number": (config_case(tiny_config(data={"root": 123})), "'data.root' must be a path (text) or null, got 123"),
    "a list as a strategy name": (config_case(tiny_config(strategies=[{"name": ["mean", "lwf"]}])), "'strategies[0].name' must be a strategy name (text), got ['mean', 'lwf']"),
    "a list as a strategy": (config_case(tiny_config(strategies=[["mean", "lwf"]])), "'strategies[0]' must be a name or a mapping with 'name', got ['mean', 'lwf']"),
    "seed 2^70": (config_case(tiny_config(protocol={"tasks": 5, "seeds": [2**70]})), "'protocol.seeds' must be a non-empty list of integers in 0..4294967295, got [1180591620717411303424]"),
    "data.dim 1e8": (config_case(text=b"data: {dim: 1e8}\n"), "bad.yaml: 'data.dim' must be an integer in 1..16384, got 100000000.0"),
    "huge data.videos_per_activity": (config_case(tiny_config(data={"videos_per_activity": 10**9})), "'data.videos_per_activity' must be an integer in 2..260, got 1000000000"),
    "train.batch_size 2^70": (config_case(tiny_config(train={"batch_size": 2**70})), "'train.batch_size' must be an integer in 1..1000000, got 1180591620717411303424"),
    "backbone.layers beyond the dilation limit": (config_case(tiny_config(backbone={"layers": 64})), "'backbone.layers' must be an integer in 1..16, got 64"),
    "a TCA layer 4e9 wide": (config_case(tiny_config(strategies=[{"name": "tca", "params": {"hidden": 4_000_000_000}}])), "memory hidden: expected an integer in 1..16384, got 4000000000"),
    "iCaRL clips 1e9 frames long": (config_case(tiny_config(strategies=[{"name": "icarl", "params": {"clip": 10**9}}])), "strategies.icarl: parameter 'clip' must be an integer in 1..100000, got 1000000000"),
    "duplicate key": (config_case(text=b"train:\n  epochs: 2\n  epochs: 3\n"), "bad.yaml: duplicate key 'epochs' (line 3)"),
    "billion laughs (alias bomb)": (config_case(text=BILLION_LAUGHS), "bad.yaml: aliases expand to more than 100,000 values (line 6)"),
    "YAML nested 20,000 deep": (config_case(text=b"data: " + b"[" * 20_000 + b"]" * 20_000 + b"\n"), "bad.yaml: nested deeper than 32 levels (line 1)"),
    "a Python tag": (config_case(text=b"train: !!python/object/apply:os.system [touch pwned]\n"), "bad.yaml: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"),
    "config file of 2 MB": (config_case(text=b"# " + b"x" * 2_000_000 + b"\n"), "bad.yaml: 2,000,003 bytes, expected a config file of at most 1,000,000"),
    "the same seed twice": (config_case(tiny_config(protocol={"tasks": 5, "seeds": [42, 7, 42]})), "bad.yaml: 'protocol.seeds' lists seed 42 twice"),
    "the same budget in two spellings": (config_case(tiny_config(budgets=[{"bytes": "1MB"}, {"bytes": 1_000_000}])), "bad.yaml: 'budgets[1]' is the same budget as 'budgets[0]' (bytes=1MB)"),
    "a label with a path separator": (config_case(tiny_config(strategies=["x_y", {"name": "mean", "label": "x/y"}])), "'strategies[1].label' must be a plain file name"),
    "labels that collide on a case-insensitive disk": (config_case(tiny_config(strategies=["mean", {"name": "mean", "label": "MEAN"}])), "bad.yaml: strategy labels 'mean' and 'MEAN' name the same files on a case-insensitive disk"),
    "label: null": (config_case(tiny_config(strategies=[{"name": "mean", "label": None}])), "'strategies[0].label' must be a plain file name (text; no '/', '\\', '.', '..' or control characters), got None"),
    "NaN EWC lambda": (config_case(tiny_config(strategies=[{"name": "ewc", "params": {"lambda": float("nan")}}])), "strategies.ewc: parameter 'lambda' must be a number >= 0, got nan"),
    "procedural data larger than memory": (config_case(tiny_config(data={"dim": 16384, "videos_per_activity": 260, "length_scale": 10})), "procedural dataset: 45,369,567 frames x 16384 dims = 2,769.1 GiB of features, more than the"),
    "estimate: custom activities file without a video": (estimate_case(VIDEOS[:3]), "acts.txt: no activity for video 'P06_cam01_P06_cereals'"),
    # command-line arguments
    "--out is an existing file": (out_case(a_file), "file.txt: exists and is not a folder"),
    "--out under a file": (out_case(lambda t: a_file(t) / "out"), "file.txt/out: cannot write there (a parent of it is a file)"),
    "--out not writable": (out_case(lambda t: t / "out", errno.EACCES), "cannot write there (permission denied)"),
    "--out on a read-only filesystem": (out_case(lambda t: t / "out", errno.EROFS), "cannot write there (read-only filesystem)"),
    "--jobs negative": (lambda t: (["run", "--jobs", "-1", "--out", str(t / "out")], t / "out"), "--jobs: expected 0 (auto) or a positive integer, got -1"),
    "unknown flag": (lambda t: (["run", "--epochs=3", "--out", str(t / "out")], t / "out"), "itas run: error: unrecognized arguments: --epochs=3 (see itas run --help)"),
    "missing required argument": (lambda t: (["eval", "--gt", str(t)], t / "nothing"), "itas eval: error: the following arguments are required: --pred (see itas eval --help)"),
    "--device unknown": (lambda t: (["run", "--device", "tpu", "--out", str(t / "out")], t / "out"), "--device: expected auto, cpu or cuda[:N], got 'tpu'"),
    "--slurm-mem-gb negative": (lambda t: (["run", "--executor", "slurm", "--slurm-mem-gb", "-4", "--out", str(t / "out")], t / "out"), "--slurm-mem-gb: 'cluster.mem_gb' must be a positive number or null, got -4.0"),
    "--executor slurm without sbatch on PATH": (no_slurm_case, "--executor slurm: no 'sbatch' command on PATH"),
    # run folders given to itas report
    "eval_task outside the run's tasks": (report_case(lambda f: (f / "metrics.csv").write_text("\n".join(metrics_lines() + ["finetune,none,42,1,99,acc,1"]) + "\n")), "metrics.csv: run strategy=finetune, budget=none, seed=42 has eval_task 99, expected consecutive tasks 0..2"),
    "missing memory.csv": (report_case(lambda f: (f / "memory.csv").unlink()), "memory.csv: file not found, expected beside metrics.csv"),
    "truncated metrics.csv": (report_case(lambda f: (f / "metrics.csv").write_text("\n".join(metrics_lines())[:-9])), "metrics.csv:5: column eval_task must be a non-negative integer, got ''"),
    "incomplete task grid": (report_case(lambda f: (f / "metrics.csv").write_text("\n".join(metrics_lines()[:-1]) + "\n")), "has 3 rows, expected 4"),
    "duplicate metrics row": (report_case(lambda f: (f / "metrics.csv").write_text("\n".join(metrics_lines() + metrics_lines()[-1:]) + "\n")), "metrics.csv:6: duplicate row"),
    "non-UTF-8 metrics.csv": (report_case(lambda f: write_bytes(f / "metrics.csv", b"strategy\xff\n")), "metrics.csv: not a valid CSV file"),
    "metric value above 100": (report_case(lambda f: (f / "metrics.csv").write_text("\n".join(metrics_lines()).replace(",acc,50", ",acc,150") + "\n")), "metrics.csv:2: acc is 150, expected a percentage in [0, 100]"),
    "negative metric value": (report_case(lambda f: (f / "metrics.csv").write_text("\n".join(metrics_lines()).replace(",acc,51", ",acc,-5", 1) + "\n")), "metrics.csv:3: acc is -5, expected a percentage in [0, 100]"),
    "run record that is []": (report_case(lambda f: write_record(f, "[]")), "finetune__none__seed42.json: not a valid run record (the record: Input should be an object)"),
    "run record without a key": (report_case(lambda f: write_record(f, '{"strategy": "finetune", "budget": "none"}')), "finetune__none__seed42.json: not a valid run record (seed: Field required)"),
    "full disk while writing": (full_disk, "summary.csv: cannot write (No space left on device)"),
    # prediction folders given to itas eval
    "missing prediction": (eval_case(lambda g, p: (p / "v.txt").unlink()), "pred/v.txt: missing prediction for ground truth"),
    "prediction of another length": (eval_case(lambda g, p: (p / "v.txt").write_text("SIL\na\n")), "pred/v.txt: 2 predicted frames but"),
    "non-UTF-8 prediction": (eval_case(lambda g, p: write_bytes(p / "v.txt", b"\xff\n")), "pred/v.txt: cannot read label file"),
    "control character in a file name": (eval_case(lambda g, p: [(d / "v\x1b.txt").write_text("a\n") for d in (g, p)]), "name 'v\\x1b' is not a plain file name (contains a control or invisible character)"),
    # memory files given to itas replay
    "truncated memory file": (memory_case(lambda p: write_bytes(p, p.read_bytes()[:-300])), "m.pt: not a readable memory file"),
    "64 flipped bytes in a memory file": (memory_case(flip_bytes), "m.pt: "),
    "foreign pickle as memory file": (memory_case(lambda p: torch.save({"evil": np.random.default_rng(0)}, p)), "m.pt: refused, it asks for numpy.random._pickle.__generator_ctor"),
    "memory file that would run code": (memory_case(lambda p: torch.save({"evil": CreatesFile(p.parent / "pwned")}, p)), "m.pt: refused, it asks for io.open; a memory file holds only arrays and records"),
    "stored video name that is an absolute path": (memory_case(records=lambda c: rename_stored_video(c, "/tmp/evil")), "m.pt: task 0: stored video: name '/tmp/evil' is not a plain file name (contains a path separator)"),
    "stored video name climbing with ../": (memory_case(records=lambda c: rename_stored_video(c, "../../evil")), "m.pt: task 0: stored video: name '../../evil' is not a plain file name"),
    "stored features of the wrong width": (memory_case(records=lambda c: set_first_features(c, torch.zeros(2, 5))), "corrupted memory file (v"),
    "NaN in stored features": (memory_case(records=lambda c: set_first_features(c, torch.full_like(first_features(c)["data"], float("nan")))), "holds NaN or inf values"),
    # run folders given to itas run (their checkpoints)
    "checkpoint that would run code": (malicious_checkpoint, ".ckpt: refused, it asks for io.open; a checkpoint holds only arrays and the suite's own records"),
    # dataset folders counted by itas estimate
    "non-UTF-8 groundTruth (itas estimate)": (estimate_case(edit=lambda r: write_bytes(ground_truth(r), b"SIL\n\xff\n")), "P04_cam01_P04_cereals.txt: not UTF-8 text (byte 0xff at offset 4)"),
    # plugins: outside memories, strategies and backbones (docs: "Your memory in 30 lines")
    "plugin module fails to import": (plugin_case("itas_case_import", "import not_a_package\n"), "plugin 'itas_case_import:Memory': cannot import module 'itas_case_import' (ModuleNotFoundError: No module named 'not_a_package')"),
    "plugin object missing": (plugin_case("itas_case_attribute", "class Other: pass\n"), "plugin 'itas_case_attribute:Memory': 'itas_case_attribute' has no attribute 'Memory'"),
    "entry point pointing at nothing": (plugin_case("itas_case_entry", "", "[itas.memories]\nghost = itas_case_entry:Ghost\n", strategies=["ghost"]), "plugin 'ghost' (entry point itas.memories itas_case_entry:Ghost): 'itas_case_entry' has no attribute 'Ghost'"),
    "memory plugin missing a method": (plugin_case("itas_case_method", MEMORY_WITHOUT_STORED), "plugin 'itas_case_method:Memory': Memory lacks stored (the replay.memory.Memory contract"),
    "memory plugin hook not implemented": (plugin_case("itas_case_abstract", "from replay.stored import SelectedVideoMemory\nclass Memory(SelectedVideoMemory):\n    def video_cost(self, video): return {}\n"), "plugin 'itas_case_abstract:Memory': Memory does not implement decode, encode"),
    "memory plugin hook with a wrong signature": (plugin_case("itas_case_signature", "from replay.exemplars import OriginalMemory\nclass Memory(OriginalMemory):\n    def encode(self, videos): return []\n"), "plugin 'itas_case_signature:Memory': encode(self, videos) cannot be called as encode(self, task, videos, state, ctx)"),
    "strategy plugin with a wrong signature": (plugin_case("itas_case_strategy", "def build(ctx): pass\n", strategies=["itas_case_strategy:build"]), "plugin 'itas_case_strategy:build': build(ctx) cannot be called as build(ctx, params)"),
    "backbone plugin with a wrong signature": (plugin_case("itas_case_backbone", "def make(in_dim): pass\n", strategies=["finetune"], backbone={"name": "itas_case_backbone:make"}), "bad.yaml: 'backbone.name': plugin 'itas_case_backbone:make': make(in_dim) cannot be called as make(in_dim, num_classes, backbone)"),
}


def test_the_catalogue_has_at_least_30_cases():
    assert len(CATALOGUE) >= 30


def test_the_docs_page_lists_every_case():
    """docs/reference/bad-input.md shows each case's name and the excerpt its line must contain."""
    page = Path(__file__).resolve().parents[2] / "docs" / "reference" / "bad-input.md"
    rows = [line.split(" | ") for line in page.read_text().splitlines() if re.match(r"\| \d+ \|", line)]
    documented = {cells[2]: cells[3].removesuffix(" |").removeprefix("`").removesuffix("`") for cells in rows}
    assert documented == {name: expected for name, (_, expected) in CATALOGUE.items()}


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_bad_input_is_one_line_exit_2_and_writes_nothing(name, tmp_path, monkeypatch):
    make, expected = CATALOGUE[name]
    args = (tmp_path, monkeypatch) if make.__code__.co_argcount == 2 else (tmp_path,)
    argv, output = make(*args)
    before = sorted(tmp_path.rglob("*"))
    code, stdout, stderr = run_cli(*argv)
    assert code == 2, stderr
    assert stderr.startswith(f"itas {argv[0]}: error: ") and stderr.count("\n") == 1, stderr
    assert expected in stderr, stderr
    assert "Traceback" not in stderr and "\x1b" not in stderr
    new = [p for p in sorted(tmp_path.rglob("*")) if p not in before]
    assert not [p for p in new if p.is_file()], new  # no partial output file, no temp file
    assert output not in new or not any(output.iterdir())


def test_bom_and_crlf_files_are_read_normally(tmp_path):
    root = dataset(tmp_path / "data")
    for path in [root / "mapping.txt", ground_truth(root), root / "splits" / "train.split1.bundle"]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, stdout, stderr = run_cli("check", str(root), "--dataset", "breakfast")
    assert (code, stderr) == (0, ""), stderr
    activities = tmp_path / "activities.txt"
    activities.write_bytes(b"\xef\xbb\xbf" + "".join(f"{video} cereals\r\n" for video in VIDEOS).encode())
    code, stdout, stderr = run_cli("check", str(root), "--activities", str(activities))
    assert (code, stderr) == (0, ""), stderr
    assert "activities  1: cereals" in stdout
