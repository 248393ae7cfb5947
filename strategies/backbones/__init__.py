"""Segmentation backbones, keyed by the config's `backbone.name`: the built-in `mstcn` and `asformer`,
an entry point of the group `itas.backbones`, or a dotted path `package.module:factory`.

A backbone factory is called as `factory(in_dim, num_classes, backbone)`, `backbone` being the config's
backbone section (stages, layers, maps, dropout, channel_dropout; use what applies), and returns a
`torch.nn.Module` whose `forward(x, mask)` maps features x (B, T, D) and a padding mask (B, T) to
logits (S, B, C, T): one or more stages, each trained with the MS-TCN loss. It imports torch and
tasks (errors, plugins) only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Callable

import torch

from strategies.backbones.asformer import ASFormer
from strategies.backbones.mstcn import MSTCN
from tasks.plugins import Plugin, check_signature, required_plugin

GROUP = "itas.backbones"
BackboneFactory = Callable[[int, int, Mapping], torch.nn.Module]
BACKBONES: dict[str, BackboneFactory] = {
    "mstcn": lambda in_dim, num_classes, b: MSTCN(in_dim, num_classes, b["stages"], b["layers"], b["maps"],
                                                  b["dropout"]),
    "asformer": lambda in_dim, num_classes, b: ASFormer(in_dim, num_classes, b["stages"], b["layers"], b["maps"],
                                                        b["dropout"], b["channel_dropout"]),
}


def backbone_factory(name: str) -> BackboneFactory:
    """The factory of backbone `name`: built in, else an entry point or a dotted path, checked."""
    if name in BACKBONES:
        return BACKBONES[name]
    return checked_factory(required_plugin(GROUP, name, 'backbone', BACKBONES))


def checked_factory(plugin: Plugin) -> BackboneFactory:
    if not callable(plugin.obj):
        raise plugin.error(f"expected a backbone class or factory, got {type(plugin.obj).__name__}")
    check_signature(plugin, plugin.obj, getattr(plugin.obj, "__name__", "factory"), ("in_dim", "num_classes", "backbone"))

    def build(in_dim: int, num_classes: int, backbone: Mapping) -> torch.nn.Module:
        model = plugin.obj(in_dim, num_classes, backbone)
        if not isinstance(model, torch.nn.Module):
            raise plugin.error(f"returned {type(model).__name__}, expected a torch.nn.Module")
        return model

    return build


def make_backbone(backbone: Mapping, in_dim: int, num_classes: int) -> torch.nn.Module:
    """The model the config's `backbone` section names, for `in_dim` features and `num_classes` labels."""
    return backbone_factory(backbone["name"])(in_dim, num_classes, backbone)


__all__ = ["ASFormer", "BACKBONES", "MSTCN", "backbone_factory", "make_backbone"]
