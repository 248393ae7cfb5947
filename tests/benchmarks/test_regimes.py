"""The regime map at the tiny protocol: one calibration run per point, every memory per point,
the table, the plot, and measured shares that follow the nominal ones."""
import pandas as pd
import pytest

from benchmarks.studies.regimes import main, memory_entries
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
    assert [entry["label"] for entry in memory_entries(["tca", "tca-residual"], 2, 2)] == ["tca", "tca-residual"]
    with pytest.raises(DataError, match="unknown memory 'original-residual'"):
        memory_entries(["original-residual"], 2, 2)
