import pytest

from results.prediction_files import evaluate_folders, prediction_path, read_label_file
from tasks.errors import DataError


def test_reads_one_label_per_line(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("SIL\ntake_cup\ntake_cup\nSIL\n")
    assert read_label_file(path).tolist() == ["SIL", "take_cup", "take_cup", "SIL"]


def test_reads_ms_tcn_results_format(tmp_path):
    path = tmp_path / "v"
    path.write_text("### Frame level recognition: ###\nSIL take_cup take_cup SIL\n")
    assert read_label_file(path).tolist() == ["SIL", "take_cup", "take_cup", "SIL"]


def test_two_line_file_without_hash_header_is_still_the_results_format(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("recognition\na b b\n")
    assert read_label_file(path).tolist() == ["a", "b", "b"]


def test_bad_label_files_name_the_file_and_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    with pytest.raises(DataError, match="empty.txt: no labels"):
        read_label_file(empty)
    spaced = tmp_path / "spaced.txt"
    spaced.write_text("a\nb c\nd\n")
    with pytest.raises(DataError, match=r"spaced.txt:2: expected one label name per line"):
        read_label_file(spaced)


def test_prediction_path_prefers_the_same_name_then_the_stem(tmp_path):
    (tmp_path / "a").write_text("x\n")
    assert prediction_path(tmp_path, tmp_path / "gt" / "a.txt") == tmp_path / "a"
    (tmp_path / "a.txt").write_text("x\n")
    assert prediction_path(tmp_path, tmp_path / "gt" / "a.txt") == tmp_path / "a.txt"


def test_evaluate_folders(tmp_path):
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    gt_dir.mkdir(), pred_dir.mkdir()
    (gt_dir / "v1.txt").write_text("\n".join(["a"] * 10 + ["b"] * 10 + ["c"] * 10))
    (pred_dir / "v1.txt").write_text("\n".join(["a"] * 10 + ["b"] * 4 + ["c"] * 2 + ["b"] * 4 + ["c"] * 10))
    scores = evaluate_folders(gt_dir, pred_dir)
    # over-segmentation: 28 of 30 frames right (the 2 c inside b), Edit 60, F1 (3,2,0) (3,2,0) (2,3,1)
    assert list(scores.values()) == pytest.approx([280 / 3, 60.0, 75.0, 75.0, 50.0])
    scores = evaluate_folders(gt_dir, pred_dir, background=["a"])
    # without a: P = b c b c, G = b c -> Edit 50; F1@50 (1,3,1) -> 200/6
    assert scores["edit"] == pytest.approx(50.0)
    assert scores["f1@50"] == pytest.approx(100 / 3)


def test_folder_errors(tmp_path):
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    gt_dir.mkdir(), pred_dir.mkdir()
    with pytest.raises(DataError, match="no ground-truth .txt files"):
        evaluate_folders(gt_dir, pred_dir)
    (gt_dir / "v1.txt").write_text("a\na\nb\n")
    with pytest.raises(DataError, match=r"pred/v1.txt: missing prediction"):
        evaluate_folders(gt_dir, pred_dir)
    (pred_dir / "v1.txt").write_text("a\nb\n")
    with pytest.raises(DataError, match=r"v1.txt: 2 predicted frames but .* has 3"):
        evaluate_folders(gt_dir, pred_dir)
    with pytest.raises(DataError, match="prediction folder does not exist"):
        evaluate_folders(gt_dir, tmp_path / "nowhere")


def test_a_byte_order_mark_and_crlf_do_not_change_the_score(tmp_path):
    """A ground truth saved by an editor with a BOM and CRLF line ends once read as '\ufeffSIL' and
    scored identical labels 75 instead of 100."""
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    (tmp_path / "gt" / "v.txt").write_bytes(b"\xef\xbb\xbfSIL\r\na\r\na\r\nSIL\r\n")
    (tmp_path / "pred" / "v.txt").write_text("SIL\na\na\nSIL\n")
    assert evaluate_folders(tmp_path / "gt", tmp_path / "pred")["acc"] == 100.0
