"""ProgressFile: the position a run reports to a parent process after every epoch, and a memory's
long phases (TCA training, inversion) after a task's epochs."""
import json

from avalanche.core import SupervisedPlugin
from loader_recording import template
from strategy_smoke import NUM_CLASSES, tiny_tasks

from replay.registry import make_memory
from strategies import progress
from strategies.benchmark import make_benchmark
from strategies.progress import ProgressFile
from strategies.replay_plugin import ReplayPlugin


class ReadBack(SupervisedPlugin):
    """Reads the progress file in the same hooks, right after ProgressFile wrote it."""

    def __init__(self, path):
        super().__init__()
        self.path, self.seen = path, []

    def _read(self):
        position = json.loads(self.path.read_text())
        self.seen.append((position["task"], position["epoch"], position["tasks"], position["epochs"]))

    def before_training_exp(self, strategy, **kwargs):
        self._read()

    def after_training_epoch(self, strategy, **kwargs):
        self._read()


def test_progress_file_follows_tasks_and_epochs(tmp_path):
    path = tmp_path / "progress" / "run.json"
    spy = ReadBack(path)
    strategy = template([ProgressFile(path, n_tasks=2), spy], epochs=2)
    for experience in make_benchmark(tiny_tasks()).train_stream:
        strategy.train(experience)
    assert spy.seen == [(0, 0, 2, 2), (0, 1, 2, 2), (0, 2, 2, 2), (1, 0, 2, 2), (1, 1, 2, 2), (1, 2, 2, 2)]


def test_a_memory_reports_tca_and_inversion_steps_after_the_epochs(tmp_path, monkeypatch):
    """After a task's last epoch, the condensed memory's TCA epochs and inversion steps reach the file
    (every write kept here: min_seconds 0), each with the task's position, the last step always."""
    written = []
    monkeypatch.setattr(progress, "write_text_atomically", lambda path, text: written.append(json.loads(text)))
    tasks = tiny_tasks()
    memory = make_memory("condensed", {"videos": 2}, K=1, latent=2, hidden=8, tca_epochs=3, inversion_steps=4)
    plugin = ReplayPlugin(memory, [t.train for t in tasks], NUM_CLASSES, seed=0)
    strategy = template([plugin, progress.ProgressFile(tmp_path / "run.json", n_tasks=2, min_seconds=0)], epochs=2)
    for experience in make_benchmark(tasks).train_stream:
        strategy.train(experience)
    phases = [(p["task"], p["epoch"], p["phase"], p["step"], p["steps"]) for p in written if "phase" in p]
    for task in (0, 1):
        assert [(t, e, s, n) for t, e, name, s, n in phases if t == task and name == "TCA"] == [
            (task, 2, step, 3) for step in (1, 2, 3)]
        assert [(t, e, s, n) for t, e, name, s, n in phases if t == task and name == "inversion"] == [
            (task, 2, step, 4) for step in range(5)]
    assert [p["epoch"] for p in written if "phase" not in p] == [0, 1, 2, 0, 1, 2]  # epochs as before


def test_phase_writes_are_throttled_but_the_last_step_always_lands(tmp_path, monkeypatch):
    written = []
    monkeypatch.setattr(progress, "write_text_atomically", lambda path, text: written.append(json.loads(text)))
    position = progress.ProgressFile(tmp_path / "run.json", n_tasks=3, min_seconds=3600)
    position.phase("TCA", 1, 500)  # before any epoch there is no position to extend
    position.position = {"task": 1, "tasks": 3, "epoch": 15, "epochs": 15}
    for step in range(1, 501):
        position.phase("TCA", step, 500)
    assert [(p["step"], p["steps"]) for p in written] == [(1, 500), (500, 500)]
