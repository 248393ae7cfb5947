"""Replay strategies: one registered name per replay memory (original, mean, coreset, and the latent
memories), each a ReplayPlugin over the memory of the same name under the run's budget."""
from __future__ import annotations

from replay.registry import MEMORIES
from strategies.registry import register, replay_builder

for _name, _memory in MEMORIES.items():
    register(_name, uses_memory=True)(replay_builder(_memory, _name))
