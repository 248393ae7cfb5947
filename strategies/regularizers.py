"""What EWC, SI and MAS share: a quadratic penalty around an anchor, weighted per parameter, and the
bytes it keeps between tasks.

    penalty(θ) = λ · Σ_i Ω_i (θ_i − θ*_i)²

Ω (importance) and θ* (anchor) are one float32 array per parameter each, so a regulariser keeps
2 × (float parameters) × 4 bytes between tasks, whatever the number of tasks (online variants).
They are reported like a memory (component `other` of memory.csv) and count against a byte
budget: a budget smaller than both arrays is refused before training. A video budget has no byte
meaning for them; they then run without a limit.

Avalanche's EWCPlugin, SynapticIntelligencePlugin and MASPlugin are not used: they call
`model(x)` without the padding mask on (x, y, t) mini-batches, and keep `ParamData` objects,
which a `weights_only` checkpoint cannot load. The state here is plain: dicts of tensors keyed by
parameter name, numbers and strings, so a checkpoint restores it exactly.
"""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator

import torch
from avalanche.core import SupervisedPlugin
from torch.utils.data import DataLoader

from replay.budget import Budget, format_bytes
from replay.held import complete_costs
from tasks.errors import DataError

FLOAT_BYTES = 4  # importance and anchor are float32, one value per parameter each


def named_parameters(model: torch.nn.Module) -> Iterator[tuple[str, torch.nn.Parameter]]:
    return ((name, p) for name, p in model.named_parameters() if p.requires_grad)


def task_batches(strategy) -> DataLoader:
    """The current task's training videos (not the replayed ones), padded by the dataset's collate."""
    dataset = strategy.experience.dataset
    return DataLoader(dataset, batch_size=strategy.train_mb_size, shuffle=False, collate_fn=dataset.collate_fn)


class ParameterRegularizer(SupervisedPlugin):
    """λ·Σ Ω (θ − θ*)² added to every training loss once a task has been consolidated; reports
    its arrays as a memory (`nbytes_by_task`, `stored`, `check_feasible`) for memory.csv."""

    name = "regularizer"

    def __init__(self, strength: float, budget: Budget | None, parameter_count: int):
        super().__init__()
        self.strength = strength
        self.budget_bytes = None if budget is None else budget.bytes
        self.budget_label = "none" if budget is None else budget.label
        self.parameter_count = parameter_count
        self.importance: dict[str, torch.Tensor] = {}
        self.anchor: dict[str, torch.Tensor] = {}
        self.last_task = -1

    # ---- the penalty ---------------------------------------------------------------------------

    def penalty(self, model: torch.nn.Module) -> torch.Tensor:
        """Σ_i Ω_i (θ_i − θ*_i)² over the anchored parameters (0 before the first consolidation)."""
        total = next(model.parameters()).new_zeros(())
        for name, p in named_parameters(model):
            if name in self.anchor:
                total = total + (self.importance[name] * (p - self.anchor[name]).square()).sum()
        return total

    def before_backward(self, strategy, **kwargs) -> None:
        if self.anchor:
            strategy.loss = strategy.loss + self.strength * self.penalty(strategy.model)

    def after_training_exp(self, strategy, **kwargs) -> None:
        new = self.task_importance(strategy)
        self.importance = self.combine(self.importance, new)
        self.anchor = {name: p.detach().clone() for name, p in named_parameters(strategy.model)}
        self.last_task = strategy.experience.current_experience
        held = self.held_bytes()
        if self.budget_bytes is not None and held > self.budget_bytes:
            raise RuntimeError(f"{self.name} holds {held} bytes over its budget {self.budget_label}")

    @abstractmethod
    def task_importance(self, strategy) -> dict[str, torch.Tensor]:
        """Ω of the task just trained, one tensor per parameter."""

    def combine(self, old: dict[str, torch.Tensor], new: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """How a task's importance joins the running one: summed (subclasses may decay the old)."""
        return {name: old.get(name, 0) + value for name, value in new.items()}

    # ---- what it keeps, as a memory ------------------------------------------------------------

    def held_bytes(self) -> int:
        return sum(t.numel() * t.element_size() for part in (self.importance, self.anchor) for t in part.values())

    def nbytes_by_task(self) -> dict[int, dict[str, int]]:
        """Both arrays, under the last consolidated task (they stand for every task so far)."""
        if self.last_task < 0:
            return {}
        return {self.last_task: complete_costs({"other": self.held_bytes()})}

    def nbytes(self) -> dict[str, int]:
        return complete_costs({"other": self.held_bytes()})

    def stored(self) -> dict[int, dict[str, int]]:
        return {task: {"videos": 0, "frames": 0} for task in self.nbytes_by_task()}

    def check_feasible(self, task_videos, ctx=None) -> None:
        """DataError when a byte budget cannot hold Ω and θ* (2 × parameters × 4 B)."""
        needed = 2 * self.parameter_count * FLOAT_BYTES
        if self.budget_bytes is not None and needed > self.budget_bytes:
            raise DataError(
                f"budget {self.budget_label} cannot hold {self.name}'s importance and anchor arrays "
                f"(2 x {self.parameter_count} parameters x {FLOAT_BYTES} B = {format_bytes(needed)})"
            )
