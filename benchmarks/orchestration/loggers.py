"""Avalanche loggers of a run (`output.loggers`): TensorBoard, Weights & Biases and CSV, each writing
into the run's own folder loggers/<run>/<logger>/.

They receive what the run's EvaluationPlugin emits: the training loss per epoch and, after every
task, every segmentation metric of every evaluated task (strategies.evaluation), at Avalanche's
x-axis (training iterations so far). TensorBoard and W&B are optional extras; W&B runs offline unless
WANDB_MODE or WANDB_API_KEY says otherwise.
"""
from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path
from typing import Sequence

from tasks.errors import DataError

# logger name -> (module it needs, pyproject extra that installs it)
PACKAGES = {"tensorboard": ("tensorboard", "tensorboard"), "wandb": ("wandb", "wandb")}


def require_logger_packages(names: Sequence[str]) -> None:
    """A one-line error naming the extra for a requested logger whose package is not installed."""
    for name in names:
        module, extra = PACKAGES.get(name, (None, None))
        if module is not None and importlib.util.find_spec(module) is None:
            raise DataError(f"output.loggers: '{name}' needs the {module} package: pip install -e '.[{extra}]'")


def make_loggers(names: Sequence[str], folder: Path, run_name: str, tags: dict) -> list:
    """One Avalanche logger per name, writing under `folder`; `tags` (strategy, budget, seed) name
    the W&B run's config and tags (TensorBoard and CSV are tagged by their folder)."""
    require_logger_packages(names)
    loggers = []
    for name in names:
        if name == "tensorboard":
            from avalanche.logging import TensorboardLogger

            loggers.append(TensorboardLogger(folder / "tensorboard"))
        elif name == "csv":
            from avalanche.logging import CSVLogger

            loggers.append(CSVLogger(str(folder / "csv")))
        elif name == "wandb":
            loggers.append(_wandb_logger(folder / "wandb", run_name, tags))
    return loggers


def _wandb_logger(folder: Path, run_name: str, tags: dict):
    import wandb
    from avalanche.logging import WandBLogger

    class ScalarWandBLogger(WandBLogger):
        """Avalanche 0.6's WandBLogger for the scalars a run emits: its own log_single_metric reads
        wandb.viz, gone from recent wandb releases."""

        def log_single_metric(self, name, value, x_plot) -> None:
            self.step = x_plot
            if isinstance(value, (float, int)):
                self.wandb.log({name: value}, step=x_plot)

    folder.mkdir(parents=True, exist_ok=True)
    configured = os.environ.get("WANDB_MODE") or os.environ.get("WANDB_API_KEY")
    # An explicit id: Avalanche 0.6 otherwise calls wandb.util.generate_id, gone from recent wandb.
    params = {"id": uuid.uuid4().hex[:12], "tags": [str(v) for v in tags.values()],
              "group": str(tags.get("strategy")), "settings": wandb.Settings(silent=True)}
    if not configured:
        params["mode"] = "offline"
    return ScalarWandBLogger(project_name="itas", run_name=run_name, save_code=False, config=tags,
                             dir=str(folder), params=params)


def close_loggers(loggers: Sequence) -> None:
    """Flush and close every logger's files (and finish the W&B run) at the end of a run."""
    for logger in loggers:
        if hasattr(logger, "writer"):  # TensorboardLogger
            logger.writer.close()
        elif hasattr(logger, "wandb"):  # WandBLogger
            logger.wandb.finish()
        elif hasattr(logger, "close"):  # CSVLogger
            logger.close()
