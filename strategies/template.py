"""TASTemplate: Avalanche's SupervisedTemplate taught to train segmentation models on videos.

Avalanche 0.6 assumes positional (x, y, task) mini-batches, moves every batch element to the device
and drops the dataset's collate_fn in the train loader (avalanche#1531), so the overrides are: dict
mini-batches (x, y, mask, video names), a train loader that keeps our pad_collate, the MS-TCN loss
over all stages, and a forward that passes the padding mask.
"""
from __future__ import annotations

import warnings
from typing import Callable, Sequence

import torch
from avalanche.evaluation.metrics import loss_metrics
from avalanche.training.plugins import EvaluationPlugin
from avalanche.training.templates import SupervisedTemplate
from torch.utils.data import DataLoader

from strategies.loss import tas_loss
from tasks.precision import autocast

# Extra per-frame predictors (e.g. iCaRL's nearest-mean-of-exemplars) register here: name -> fn(strategy)
# returning (B, T) class ids. The head's argmax is always reported under "".
FramePredictor = Callable[["TASTemplate"], torch.Tensor]


class TASTemplate(SupervisedTemplate):
    def __init__(self, *, precision: str = "fp32", **kwargs):
        super().__init__(**kwargs)
        self.precision = precision
        self.frame_predictors: dict[str, FramePredictor] = {}

    @property
    def mb_x(self) -> torch.Tensor:
        return self.mbatch["x"]

    @property
    def mb_y(self) -> torch.Tensor:
        return self.mbatch["y"]

    @property
    def mb_mask(self) -> torch.Tensor:
        return self.mbatch["mask"]

    @property
    def mb_task_id(self) -> torch.Tensor:
        return torch.zeros(len(self.mbatch["video"]), dtype=torch.long)

    def _unpack_minibatch(self) -> None:
        self.mbatch = {
            k: (v.to(self.device, non_blocking=True) if torch.is_tensor(v) else v)
            for k, v in self.mbatch.items()
        }

    def forward(self) -> torch.Tensor:
        # bf16 autocast covers the backbone only: the loss and every metric see float32 logits
        with autocast(self.precision, self.device):
            return self.model(self.mb_x, self.mb_mask).float()

    def criterion(self) -> torch.Tensor:
        return tas_loss(self.mb_output, self.mb_y, self.mb_mask)

    def make_train_dataloader(self, num_workers=0, shuffle=True, pin_memory=None,
                              persistent_workers=False, drop_last=False, **kwargs) -> None:
        # The stock loader drops the dataset's collate_fn for experiences without task labels.
        self.dataloader = DataLoader(
            self.adapted_dataset,
            batch_size=self.train_mb_size,
            shuffle=shuffle,
            num_workers=num_workers,
            drop_last=drop_last,
            collate_fn=self.adapted_dataset.collate_fn,
            pin_memory=self.device.type == "cuda" if pin_memory is None else pin_memory,
            generator=self._loader_generator,
        )

    @property
    def _loader_generator(self) -> torch.Generator:
        # A generator owned by the strategy keeps shuffling independent of other RNG consumers
        # (memories, TCA training), so runs stay reproducible whatever memory is plugged in.
        if not hasattr(self, "_shuffle_rng"):
            self._shuffle_rng = torch.Generator().manual_seed(int(torch.initial_seed()) % 2**63)
        return self._shuffle_rng

    def frame_predictions(self) -> dict[str, torch.Tensor]:
        """Per-frame class ids (B, T) for the current eval mini-batch, by predictor name."""
        preds = {"": self.mb_output[-1].argmax(dim=1)}
        for name, predict in self.frame_predictors.items():
            preds[name] = predict(self)
        return preds


def make_template(model: torch.nn.Module, train_cfg: dict, device: torch.device, plugins: list,
                  metric, loggers: Sequence = ()) -> TASTemplate:
    """The template as every itas run builds it: Adam (fused: one kernel for all parameters), the config's batch sizes, epochs and precision,
    and an explicit EvaluationPlugin around our segmentation metric (Avalanche's default evaluator
    crashes on per-frame outputs). With `loggers`, it also emits the loss per training epoch and per
    evaluated task to them."""
    return TASTemplate(
        precision=train_cfg["precision"],
        model=model,
        optimizer=torch.optim.Adam(model.parameters(), lr=train_cfg["lr"], fused=True),
        train_mb_size=train_cfg["batch_size"],
        train_epochs=train_cfg["epochs"],
        eval_mb_size=train_cfg["eval_batch_size"],
        device=device,
        plugins=plugins,
        evaluator=evaluation_plugin(metric, loggers),
    )


def evaluation_plugin(metric, loggers: Sequence) -> EvaluationPlugin:
    if loggers:
        return EvaluationPlugin(metric, loss_metrics(epoch=True, experience=True), loggers=list(loggers))
    # Without loggers the scores are still kept (metric.scores feeds the run record); Avalanche warns
    # that nothing is logged, which is this run's intent, so that one warning is silenced here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No loggers specified", category=UserWarning)
        return EvaluationPlugin(metric, loggers=[])
