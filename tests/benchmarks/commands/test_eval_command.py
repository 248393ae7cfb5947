"""`itas eval` end to end through the CLI entry point, on files written in tmp_path."""
import json

import pytest

from benchmarks.cli import main


@pytest.fixture
def folders(tmp_path):
    gt_dir, pred_dir = tmp_path / "groundTruth", tmp_path / "results"
    gt_dir.mkdir(), pred_dir.mkdir()
    # the actseg README pair as label names; the prediction in MS-TCN's results format
    names = ["SIL", "pour", "stir", "take"]
    gt1, pred1 = [0, 0, 1, 1, 2, 1, 1, 0, 0], [0, 0, 0, 1, 0, 1, 1, 1, 0]
    gt2 = [1] * 5 + [2] * 6 + [3] * 7
    pred2 = [1, 2, 3, 0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0]
    (gt_dir / "v1.txt").write_text("".join(names[i] + "\n" for i in gt1))
    (gt_dir / "v2.txt").write_text("".join(names[i] + "\n" for i in gt2))
    (pred_dir / "v1").write_text("### Frame level recognition: ###\n" + " ".join(names[i] for i in pred1) + "\n")
    (pred_dir / "v2.txt").write_text("".join(names[i] + "\n" for i in pred2))
    return gt_dir, pred_dir


def test_json_output_is_one_object_with_the_five_metrics(folders, capsys):
    gt_dir, pred_dir = folders
    assert main(["eval", "--gt", str(gt_dir), "--pred", str(pred_dir), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert list(scores) == ["acc", "edit", "f1@10", "f1@25", "f1@50"]
    assert list(scores.values()) == pytest.approx([100 / 3, 52.5, 56.0, 32.0, 32.0])


def test_background_option(folders, capsys):
    gt_dir, pred_dir = folders
    assert main(["eval", "--gt", str(gt_dir), "--pred", str(pred_dir), "--bg", "SIL", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert list(scores.values()) == pytest.approx([100 / 3, 50.0, 1000 / 17, 400 / 17, 400 / 17])


def test_table_output(folders, capsys):
    gt_dir, pred_dir = folders
    assert main(["eval", "--gt", str(gt_dir), "--pred", str(pred_dir)]) == 0
    header, values = capsys.readouterr().out.splitlines()
    assert header.split() == ["Acc", "Edit", "F1@10", "F1@25", "F1@50"]
    assert values.split() == ["33.33", "52.50", "56.00", "32.00", "32.00"]


def test_errors_exit_2_with_one_line_naming_the_file(folders, capsys):
    gt_dir, pred_dir = folders
    (pred_dir / "v2.txt").unlink()
    assert main(["eval", "--gt", str(gt_dir), "--pred", str(pred_dir)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "v2.txt: missing prediction" in err
    (pred_dir / "v2.txt").write_text("SIL\n" * 17)
    assert main(["eval", "--gt", str(gt_dir), "--pred", str(pred_dir)]) == 2
    assert "v2.txt: 17 predicted frames" in capsys.readouterr().err
