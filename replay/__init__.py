"""Replay memories and what they need: budgets and byte accounting, selection, exemplar memories,
the TCA model, network inversion, latent and generative memories, and the registry that finds a
memory by name (built in, or an outside class: `itas.memories` entry points and dotted paths).
Pure torch + numpy; it may import tasks (and results), never strategies or benchmarks."""
