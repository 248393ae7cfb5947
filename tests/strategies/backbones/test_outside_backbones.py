"""Backbones by name: the built-in ones, and outside factories reached by a dotted path."""
import pytest
import torch

from strategies.backbones import MSTCN, make_backbone
from tasks.errors import DataError

SECTION = {"stages": 2, "layers": 3, "maps": 8, "dropout": 0.0, "channel_dropout": 0.0}


def test_built_in_and_outside_backbones_are_made_from_the_config_section():
    assert len(make_backbone({**SECTION, "name": "mstcn"}, 12, 5).stages) == 2
    model = make_backbone({**SECTION, "name": "outside_backbones:one_stage"}, 12, 5)
    assert isinstance(model, MSTCN) and len(model.stages) == 1
    assert model(torch.randn(2, 9, 12), torch.ones(2, 9)).shape == (1, 2, 5, 9)


def test_an_outside_factory_that_returns_no_module_is_a_data_error():
    with pytest.raises(DataError, match=r"^plugin 'outside_backbones:not_a_module': returned Tensor, expected a "
                                        r"torch.nn.Module$"):
        make_backbone({**SECTION, "name": "outside_backbones:not_a_module"}, 12, 5)
    with pytest.raises(DataError, match=r"^backbone: unknown backbone 'tcn' \(known: asformer, mstcn"):
        make_backbone({**SECTION, "name": "tcn"}, 12, 5)
