"""ProgressFile: the position a run reports to a parent process after every epoch."""
import json

from avalanche.core import SupervisedPlugin
from loader_recording import template
from strategy_smoke import tiny_tasks

from strategies.benchmark import make_benchmark
from strategies.progress import ProgressFile


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
