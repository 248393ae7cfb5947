"""Replay memories and what they need: budgets and byte accounting, selection, exemplar memories,
the TCA model, network inversion, latent and generative memories. Pure torch + numpy."""
