import numpy as np
import pytest

from benchmarks.cli import main


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "generated"  # a name that says no dataset: activities.txt does
    assert main(["synth", str(out), "--videos-per-activity", "8", "--dim", "16", "--seed", "1"]) == 0
    return out


def test_synth_writes_the_mstcn_layout_and_says_so(synth_dir, capsys, tmp_path):
    assert sorted(p.name for p in synth_dir.iterdir()) == [
        "activities.txt", "features", "generator.json", "groundTruth", "mapping.txt", "splits"]
    lines = (synth_dir / "activities.txt").read_text().splitlines()
    assert len(lines) == 80 and "P03_cam01_P03_tea tea" in lines
    assert len(list((synth_dir / "features").iterdir())) == 80
    assert np.load(synth_dir / "features" / "P03_cam01_P03_tea.npy").shape[0] == 16
    main(["synth", str(tmp_path / "again"), "--videos-per-activity", "4", "--dim", "16"])
    assert f"wrote {tmp_path / 'again'}" in capsys.readouterr().out


def test_synth_output_accepted_by_check_without_flags(synth_dir, capsys):
    assert main(["check", str(synth_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{synth_dir}: custom split 1 OK" in out
    assert "60 train + 20 test" in out
    assert "48 in mapping.txt; observed: 48 (blurry), 84 (disjoint)" in out
    assert "activities  10: cereals, coffee," in out


def test_synth_refuses_a_non_empty_folder(synth_dir, capsys):
    assert main(["synth", str(synth_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"itas synth: error: {synth_dir}: output exists and is not an empty folder"


CORRUPTIONS = {
    "missing feature": (lambda d: (d / "features" / "P03_cam01_P03_tea.npy").unlink(),
                        "P03_cam01_P03_tea.npy: feature file not found"),
    "unknown label": (lambda d: (d / "groundTruth" / "P05_cam01_P05_milk.txt").write_text("SIL\nfly\n"),
                      "P05_cam01_P05_milk.txt line 2: label 'fly' not in mapping.txt"),
    "nan": (lambda d: np.save(d / "features" / "P04_cam01_P04_juice.npy", np.full((16, 3), np.nan)),
            "P04_cam01_P04_juice.npy: features contain NaN or inf"),
    "missing mapping": (lambda d: (d / "mapping.txt").unlink(), "mapping.txt: mapping file not found"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_check_rejects_bad_data_with_one_line_and_exit_2(tmp_path, capsys, case):
    data = tmp_path / "data"
    assert main(["synth", str(data), "--videos-per-activity", "4", "--dim", "8"]) == 0
    corrupt, expected = CORRUPTIONS[case]
    corrupt(data)
    capsys.readouterr()
    assert main(["check", str(data), "--dataset", "breakfast"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("itas check: error: ") and expected in err


def test_check_missing_split(synth_dir, capsys):
    assert main(["check", str(synth_dir), "--split", "2"]) == 2
    assert "train.split2.bundle: split file not found" in capsys.readouterr().err
