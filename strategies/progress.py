"""Progress bars for long training loops."""
from __future__ import annotations

from avalanche.core import SupervisedPlugin
from tqdm.auto import tqdm


class EpochProgress(SupervisedPlugin):
    """A tqdm bar per task, advanced each epoch, showing the running loss."""

    def __init__(self, label: str, n_tasks: int):
        super().__init__()
        self.label, self.n_tasks, self.bar = label, n_tasks, None

    def before_training_exp(self, strategy, **kwargs) -> None:
        task = strategy.experience.current_experience
        self.bar = tqdm(total=strategy.train_epochs, desc=f"{self.label} task {task + 1}/{self.n_tasks}",
                        unit="epoch", leave=False)

    def after_training_epoch(self, strategy, **kwargs) -> None:
        self.bar.set_postfix(loss=f"{float(strategy.loss.detach()):.3f}")
        self.bar.update()

    def after_training_exp(self, strategy, **kwargs) -> None:
        self.bar.close()
