"""The plateau study end to end on the tiny config: per task finetune's R[i][i] next to the same
task trained alone, evaluated at every checkpoint."""
import pandas as pd
import pytest
from tiny_config import tiny_config, write_config

from benchmarks.studies.plateau import main

pytestmark = pytest.mark.usefixtures("itas_cache")


def test_plateau_table_per_task(tmp_path, capsys):
    config = write_config(tmp_path / "tiny.yaml", tiny_config(strategies=["finetune"]))
    out = tmp_path / "plateau"
    code = main([str(config), "--epochs", "2", "--every", "1", "--plateau", "2", "--device", "cpu", "--no-progress",
                 "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out / "plateau.csv")
    assert list(table["task"]) == [0, 1, 2, 3, 4]
    assert list(table.columns[2:]) == ["finetune_Rii", "alone@1", "alone@2", "converged", "spread", "gap", "gap_last"]
    scores = table[["finetune_Rii", "alone@1", "alone@2", "converged"]]
    assert ((scores >= 0) & (scores <= 100)).all().all()
    # converged: the mean of the last --plateau (default 3, here both) checkpoints
    assert (table["converged"] - (table["alone@1"] + table["alone@2"]) / 2).abs().max() < 0.11
    assert (table["spread"] - (table["alone@1"] - table["alone@2"]).abs()).abs().max() < 0.11
    assert (table["gap"] - (table["converged"] - table["finetune_Rii"])).abs().max() < 0.11
    assert (table["gap_last"] - (table["alone@2"] - table["finetune_Rii"])).abs().max() < 0.11
    assert "every |gap| <= 10" in (out / "plateau.md").read_text()
    assert "finetune_Rii" in capsys.readouterr().out


def test_bad_checkpoint_arguments_exit_2(tmp_path, capsys):
    assert main(["--epochs", "2", "--every", "3", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.startswith("plateau: error: --epochs/--every")
    assert main(["--epochs", "20", "--every", "10", "--plateau", "3", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.startswith("plateau: error: --plateau: expected 1 to 2 checkpoints")
