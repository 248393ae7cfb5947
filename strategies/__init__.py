"""Avalanche glue: the TAS training template, replay plugin, iCaRL, LwF and the strategy registry.

Importing the package registers every strategy under its name.
"""
import warnings

# qpsolvers (pulled in by Avalanche for GEM, which itas does not use) warns at import without a solver.
warnings.filterwarnings("ignore", message="no QP solver found", category=UserWarning)

from strategies import finetune, icarl, joint, lwf, replay_strategies  # noqa: E402,F401
from strategies.registry import STRATEGIES, build_strategy  # noqa: E402

__all__ = ["STRATEGIES", "build_strategy"]
