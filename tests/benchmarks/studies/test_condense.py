"""`itas condense` on the tiny data in one blurry task: the table's columns and its byte accounting."""
import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from tiny_config import TCA, tiny_config, write_config

from benchmarks.studies import condense
from benchmarks.cli import main
from benchmarks.studies.condense import COLUMNS
from benchmarks.config import resolve_config
from benchmarks.orchestration.data import load_experiment_data
from tasks.scenario import build_scenario
from tasks.video import segments

pytestmark = pytest.mark.usefixtures("itas_cache")

CONDENSED = {"name": "condensed", "params": {"K": 2, "gamma": 0.5, **TCA, "inversion_steps": 5}}
# TCA decoder MLP(d + C + 1 -> h -> D), d 4, C 48 blurry labels, h 16, D 16: float32 parameters
DECODER_BYTES = 4 * ((4 + 48 + 1) * 16 + 16 + 16 * 16 + 16)


def condense_config(strategies: list = ["original", "mean", CONDENSED]) -> dict:  # noqa: B006 (never mutated)
    return tiny_config(protocol={"tasks": 1, "labels": "blurry", "seeds": [42]}, strategies=strategies)


def itas_condense(config, out) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["condense", str(config), "--out", str(out), "--device", "cpu", "--no-progress"])
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def condensed_table(tmp_path_factory, itas_cache):
    folder = tmp_path_factory.mktemp("condense")
    code, stdout, stderr = itas_condense(write_config(folder / "condense.yaml", condense_config()), folder / "out")
    assert code == 0, stderr
    return pd.read_csv(folder / "out" / "condense.csv"), folder / "out", stdout


@pytest.fixture(scope="module")
def train_videos(itas_cache):
    cfg = resolve_config(condense_config())
    scenario = build_scenario(load_experiment_data(cfg["data"]), "blurry", 1, 42)
    return scenario.tasks[0].train


def test_condense_writes_the_table_with_its_columns(condensed_table):
    table, out, stdout = condensed_table
    assert list(table.columns) == COLUMNS
    assert table["method"].tolist() == ["original", "mean", "condensed"]
    assert {p.name for p in out.iterdir()} == {"config.yaml", "condense.csv", "condense.md"}
    assert "| condensed |" in stdout and "| condensed |" in (out / "condense.md").read_text()
    for metric in ["acc", "edit", "f1@10", "f1@25", "f1@50"]:
        assert table[metric].between(0, 100).all()


def test_condense_bytes_and_compression(condensed_table, train_videos):
    table = condensed_table[0].set_index("method")
    frames = sum(v.num_frames for v in train_videos)
    num_segments = sum(len(segments(v.labels)[0]) for v in train_videos)
    features, transcripts = frames * 16 * 4, num_segments * 2 * 4  # float32 frames; int32 (label, length)
    assert len(train_videos) == 40
    # original: every training feature plus its transcript, so its compression is just under 1
    assert table.loc["original", "bytes"] == features + transcripts
    assert table.loc["original", "compression"] == pytest.approx(features / (features + transcripts), abs=1e-4)
    assert table.loc["original", "acc_retained"] == 100.0
    # mean: one 16-d float32 mean per segment plus the transcript
    assert table.loc["mean", "bytes"] == num_segments * 16 * 4 + transcripts
    assert table.loc["mean", "bytes_with_decoders"] == table.loc["mean", "bytes"]
    condensed = table.loc["condensed"]
    assert condensed["bytes_with_decoders"] - condensed["bytes"] == DECODER_BYTES == 4544
    assert condensed["compression"] > 1 and condensed["compression_with_decoders"] > 1
    assert condensed["compression"] == pytest.approx(features / condensed["bytes"], rel=1e-4)
    assert table.loc["mean", "acc_retained"] == pytest.approx(
        100 * table.loc["mean", "acc"] / table.loc["original", "acc"], abs=1e-3)
    assert np.isfinite(table["seconds"]).all()


def test_condense_needs_exactly_one_task(tmp_path):
    cfg = condense_config()
    cfg["protocol"]["tasks"] = 2
    code, _, stderr = itas_condense(write_config(tmp_path / "two.yaml", cfg), tmp_path / "out")
    assert code == 2
    assert stderr == ("itas condense: error: condense: 'protocol.tasks' must be 1 "
                      "(the whole training split is condensed at once)\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("strategies, message", [
    (["original", "finetune"], "condense: strategy 'finetune' is not a memory"),
    (["original", {"name": "condensed", "params": {"k": 2}}], "memory condensed: unknown parameter 'k'"),
])
def test_condense_rejects_a_bad_strategy_before_training(tmp_path, monkeypatch, strategies, message):
    def no_training(*args, **kwargs):
        raise AssertionError("trained before the config error was reported")

    monkeypatch.setattr(condense, "fit_and_score", no_training)
    code, _, stderr = itas_condense(write_config(tmp_path / "bad.yaml", condense_config(strategies)), tmp_path / "out")
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith(f"itas condense: error: {message}")
    assert not (tmp_path / "out").exists()
