"""Backbone factories from outside itas, reached by dotted paths in the backbone tests."""
import torch

from strategies.backbones import MSTCN


def one_stage(in_dim, num_classes, backbone):
    return MSTCN(in_dim, num_classes, 1, backbone["layers"], backbone["maps"], backbone["dropout"])


def not_a_module(in_dim, num_classes, backbone):
    return torch.zeros(1)


class SubclassedMSTCN(MSTCN):
    """A layer class of its own: nothing on the checkpoint allow-list names it."""


def subclassed(in_dim, num_classes, backbone):
    return SubclassedMSTCN(in_dim, num_classes, backbone["stages"], backbone["layers"], backbone["maps"])
