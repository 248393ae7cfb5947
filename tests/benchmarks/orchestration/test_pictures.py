"""Pictures of a run: ribbons_<strategy>.png and, with saved memories, replay_<strategy>_task0.png,
written by `itas run` and redrawn by `itas report` from the run folder."""
import numpy as np

from benchmarks.cli import main
from results.replay_plot import evenly, plot_replay_embedding


def test_run_writes_ribbons_and_replay_pictures(inspected_run):
    names = {p.name for p in inspected_run.iterdir()}
    assert {"ribbons_finetune.png", "ribbons_mean.png", "replay_mean_task0.png"} <= names
    assert not any(n.startswith("replay_finetune") for n in names)  # no memory, no picture


def test_report_redraws_them_from_the_run_folder(inspected_run, tmp_path, capsys):
    assert main(["report", str(inspected_run), "--out", str(tmp_path), "--device", "cpu"]) == 0
    printed = capsys.readouterr().out.splitlines()
    for name in ("ribbons_finetune.png", "ribbons_mean.png", "replay_mean_task0.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG") and str(tmp_path / name) in printed


def test_replay_embedding_marks_real_and_replayed_frames_by_class():
    rng = np.random.default_rng(0)
    real = (rng.normal(size=(40, 6)), np.repeat([0, 2], 20))
    replayed = (rng.normal(size=(10, 6)), np.repeat([0, 2], 5))
    fig = plot_replay_embedding(real, replayed, ["a", "b", "c"], "t")
    collections = fig.axes[0].collections
    assert [len(c.get_offsets()) for c in collections] == [40, 10]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["real (40 frames)", "replayed (10 frames)", "a", "c"]


def test_evenly_spreads_at_most_the_asked_number():
    assert evenly(10, 4).tolist() == [0, 3, 6, 9] and evenly(3, 10).tolist() == [0, 1, 2] and len(evenly(0, 5)) == 0
