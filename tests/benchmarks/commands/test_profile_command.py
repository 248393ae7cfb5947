"""`itas profile` on a procedural folder: the files it writes, --json, and bad input."""
import json

import numpy as np
import pytest

from benchmarks.cli import main
from tasks.procedural import GeneratorParams, generate


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("profile") / "breakfast"
    return generate(root, GeneratorParams("noise-dominated", dim=16, videos_per_activity=4, length_scale=0.05, seed=3, structure=1.0))


def test_profile_writes_json_markdown_and_picture(small_data, tmp_path, capsys):
    out = tmp_path / "profile"
    assert main(["profile", str(small_data), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "white share" in printed and "nearest regime-map point" in printed
    profile = json.loads((out / "profile.json").read_text())
    assert 0 <= profile["white_share"] <= 1 and -1 <= profile["lag1_autocorrelation"] <= 1
    assert profile["separability"] > 0 and 0 < profile["nearest_mean_accuracy"] <= 1
    assert profile["data"]["train_videos"] == 30 and profile["data"]["dim"] == 16
    assert profile["background"] == ["SIL"] and 0 < profile["background_share"] < 1
    assert set(profile["transcripts"]) == {"cereals", "coffee", "friedegg", "juice", "milk", "pancake", "salat",
                                           "sandwich", "scrambledegg", "tea"}
    assert profile["segments_per_video"]["min"] >= 3  # SIL, at least one step, SIL
    assert profile["regime_map"]["ordering"] and "nearest_share" in profile["regime_map"]
    assert "| white share of within-segment variance |" in (out / "profile.md").read_text()
    assert (out / "profile.png").stat().st_size > 10_000
    assert main(["profile", str(small_data), "--out", str(tmp_path / "again"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["white_share"] == profile["white_share"]


def one_video(root):
    generate(root, GeneratorParams(dim=8, videos_per_activity=4, length_scale=0.05))
    keep = (root / "splits" / "train.split1.bundle").read_text().split()[0]
    for part in ("train", "test"):
        (root / "splits" / f"{part}.split1.bundle").write_text(keep + "\n")
    return root


def short_segments(root):
    generate(root, GeneratorParams(dim=8, videos_per_activity=4, length_scale=0.05))
    for path in (root / "groundTruth").iterdir():
        frames = len(path.read_text().split())
        path.write_text("".join(("SIL" if (i // 2) % 2 else "pour_milk") + "\n" for i in range(frames)))
    return root


BAD = {
    "empty folder": (lambda root: root.mkdir(), "not a dataset folder in the MS-TCN layout"),
    "one video, in both splits": (one_video, "train and test must not overlap"),
    "no segment of 3 frames": (short_segments, "no segment of at least 3 frames"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_naming_the_folder(tmp_path, capsys, case):
    root = tmp_path / "data"
    make, expected = BAD[case]
    make(root)
    capsys.readouterr()
    assert main(["profile", str(root), "--dataset", "breakfast", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"itas profile: error: {root}") and expected in err, err
    assert not (tmp_path / "out").exists()
