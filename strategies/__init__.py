"""Avalanche glue: the TAS training template, replay plugin, the strategies (finetune, joint, replay
memories, LwF, iCaRL and the continual-learning baselines EWC, SI, MAS, DER++, ER-ACE, GDumb,
BiC, A-GEM) and the strategy registry.

Importing the package registers every strategy under its name; a name the registry does not hold
is looked up outside itas (`itas.strategies` / `itas.memories` entry points, dotted paths). It may
import tasks, results and replay; only benchmarks imports it.
"""
import warnings

# qpsolvers (pulled in by Avalanche for GEM, which itas does not use) warns at import without a solver.
warnings.filterwarnings("ignore", message="no QP solver found", category=UserWarning)

from strategies import (  # noqa: E402,F401
    agem, bic, derpp, er_ace, ewc, finetune, gdumb, icarl, joint, lwf, mas, replay_strategies, si,
)
from strategies.registry import STRATEGIES, build_strategy  # noqa: E402

__all__ = ["STRATEGIES", "build_strategy"]
