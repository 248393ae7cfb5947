"""The regime map at the tiny protocol: one calibration run per point, every memory per point,
the table, the plot, and measured shares that follow the nominal ones."""
import pandas as pd
import pytest

from benchmarks.studies.regimes import main, memory_entries, ordering_agreement, summary_markdown
from tasks.errors import DataError

pytestmark = pytest.mark.usefixtures("itas_cache")


def test_regime_map_at_the_tiny_protocol(tmp_path):
    out = tmp_path / "regimes"
    code = main(["--protocol", "tiny", "--shares", "0.2", "0.8", "--seeds", "42", "--memories", "original",
                 "mean-residual", "--attempts", "1", "--jobs", "1", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out / "regimes.csv")
    assert sorted(zip(table["share"], table["strategy"])) == [
        (0.2, "mean-residual"), (0.2, "original"), (0.8, "mean-residual"), (0.8, "original")]
    assert table["acc"].between(0, 100).all() and (table["calibration_runs"] == 1).all()
    shares = table.groupby("share")["measured_share"].first()
    assert 0.05 < shares[0.2] < 0.4 and 0.6 < shares[0.8] < 0.95
    assert (table["noise_std"] ** 2 + table["structure"] ** 2 - 3.5 ** 2 * table["scale"] ** 2).abs().max() < 0.01
    assert (out / "regimes.png").stat().st_size > 0
    assert "mean-residual" in (out / "regimes.md").read_text()
    memory = pd.read_csv(out / "share-0.8" / "memory.csv")
    assert memory[(memory["strategy"] == "mean-residual") & (memory["component"] == "noise")]["bytes"].max() > 0


def test_memory_names_are_checked():
    entries = memory_entries(["tca", "tca-residual", "mean-residual-fixed"], 2, 2)
    assert [entry["label"] for entry in entries] == ["tca", "tca-residual", "mean-residual-fixed"]
    assert entries[2] == {"name": "mean", "label": "mean-residual-fixed",
                          "params": {"noise": "residual", "noise_draws": "fixed"}}
    with pytest.raises(DataError, match="unknown memory 'mean-fixed'"):
        memory_entries(["mean-fixed"], 2, 2)
    with pytest.raises(DataError, match="unknown memory 'original-residual'"):
        memory_entries(["original-residual"], 2, 2)


def test_agreement_with_ps_ordering_counts_pairs():
    assert ordering_agreement({"mean": 10.0, "tca": 20.0, "condensed": 30.0, "original": 40.0}) == (
        ["mean", "tca", "condensed", "original"], 6, 6)
    # condensed above original: one of P's six pairs reversed
    assert ordering_agreement({"mean": 21.3, "tca": 22.1, "condensed": 29.0, "original": 23.5}) == (
        ["mean", "tca", "original", "condensed"], 5, 6)
    # residual variants and memories P does not report are left out
    assert ordering_agreement({"mean": 5.0, "original": 1.0, "mean-residual": 50.0}) == (["original", "mean"], 0, 1)


def test_summary_states_the_order_at_every_point():
    rows = [(share, name, seed, acc) for share, accs in ((0.1, (20, 22, 29, 24)), (0.9, (9, 8, 7, 60)))
            for seed in (1, 2) for name, acc in zip(("mean", "tca", "condensed", "original"), accs)]
    table = pd.DataFrame(rows, columns=["share", "strategy", "seed", "acc"]).assign(
        measured_share=lambda t: t["share"] - 0.02, joint_calibration=66.0)
    text = summary_markdown(table)
    assert "| 10% (8%) | mean 20.0 < tca 22.0 < original 24.0 < condensed 29.0 | 5 of 6 |" in text
    assert "| 90% (88%) | condensed 7.0 < tca 8.0 < mean 9.0 < original 60.0 | 3 of 6 |" in text
