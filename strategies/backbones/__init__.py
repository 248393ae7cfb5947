"""Segmentation backbones, keyed by the config's `backbone.name`."""
from strategies.backbones.asformer import ASFormer
from strategies.backbones.mstcn import MSTCN

__all__ = ["ASFormer", "MSTCN"]
