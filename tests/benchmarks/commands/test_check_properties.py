"""Property tests of `itas check` over damaged dataset folders (Hypothesis): whatever the bytes,
labels, lengths or names in a tiny MS-TCN folder, the command ends with exit code 0, or with exactly
one line and exit code 2; never a traceback, and it writes nothing anywhere (files beside the
dataset, like another dataset's ground truth, stay as they were).

Examples are derandomized (the same on every run, as the rest of the suite) and few: each is one
in-process `itas check` of a 4-video folder."""
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, floating_dtypes, integer_dtypes
from itas_cli import run_cli

from tasks.mstcn import write_dataset

ACTIONS = ["SIL", "take_bowl", "pour_milk"]
VIDEOS = [f"P{i:02d}_cam01_P{i:02d}_cereals" for i in range(3, 7)]
FILES = ["mapping.txt", "splits/train.split1.bundle", "splits/test.split1.bundle",
         f"groundTruth/{VIDEOS[0]}.txt", f"features/{VIDEOS[0]}.npy"]
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


def folder(tmp: Path) -> Path:
    """The 4-video folder (3 train, 1 test) inside `tmp`, beside a file it must never touch."""
    rng = np.random.default_rng(0)
    videos = [(name, rng.normal(size=(6, 3)).astype(np.float32), np.array([0, 1, 1, 1, 2, 2])) for name in VIDEOS]
    (tmp / "mine.txt").write_text("SIL\n")
    return write_dataset(tmp / "data", ACTIONS, videos, {"train.split1": VIDEOS[:3], "test.split1": VIDEOS[3:]})


def check_outcome(tmp: Path, root: Path) -> None:
    before = {path: path.read_bytes() for path in tmp.rglob("*") if path.is_file()}
    code, _, stderr = run_cli("check", str(root), "--dataset", "breakfast")
    assert code in (0, 2), stderr
    if code == 2:
        assert stderr.startswith("itas check: error: ") and stderr.count("\n") == 1, stderr
    else:
        assert stderr == "" or "Warning" in stderr, stderr  # a length cut is warned about, not refused
    assert "Traceback" not in stderr
    assert {path: path.read_bytes() for path in tmp.rglob("*") if path.is_file()} == before


@settings(max_examples=60, **SETTINGS)
@given(which=st.sampled_from(FILES), start=st.integers(0, 400), cut=st.booleans(), data=st.binary(max_size=64))
def test_random_bytes_in_any_file(which, start, cut, data):
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        root = folder(tmp)
        original = (root / which).read_bytes()
        start = min(start, len(original))
        tail = b"" if cut else original[start + len(data):]
        (root / which).write_bytes(original[:start] + data + tail)
        check_outcome(tmp, root)


LABEL = st.one_of(st.sampled_from(ACTIONS), st.text(max_size=8))


@settings(max_examples=40, **SETTINGS)
@given(labels=st.lists(LABEL, max_size=12),
       features=arrays(st.one_of(floating_dtypes(), integer_dtypes(), st.just(np.dtype(np.complex64))),
                       st.tuples(st.integers(0, 4), st.integers(0, 12))))
def test_random_labels_and_feature_shapes(labels, features):
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        root = folder(tmp)
        (root / "groundTruth" / f"{VIDEOS[1]}.txt").write_text("".join(f"{label}\n" for label in labels))
        np.save(root / "features" / f"{VIDEOS[1]}.npy", features)
        check_outcome(tmp, root)


NAME = st.one_of(st.sampled_from(VIDEOS + ["../mine", "/etc/hostname", "..", ".", "a/b", "a\\b"]),
                 st.text(max_size=12))


@settings(max_examples=40, **SETTINGS)
@given(train=st.lists(NAME, max_size=5), test=st.lists(NAME, max_size=3))
def test_random_names_in_the_bundles(train, test):
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        root = folder(tmp)
        for part, names in (("train", train), ("test", test)):
            # written as bytes: a name may hold any character, even a lone surrogate or a line break
            text = "".join(f"{video}.txt\n" for video in names)
            (root / "splits" / f"{part}.split1.bundle").write_bytes(text.encode("utf-8", "surrogatepass"))
        check_outcome(tmp, root)
