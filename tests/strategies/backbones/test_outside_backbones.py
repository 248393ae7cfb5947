"""Backbones by name: the built-in ones, and outside factories reached by a dotted path."""
import pytest
import torch

from benchmarks.orchestration.checkpoints import load_checkpoint, save_checkpoint
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


def test_a_frozen_copy_of_an_outside_backbone_is_read_back_from_a_checkpoint(tmp_path):
    """LwF, BiC and iCaRL checkpoint a frozen model: with a plugin backbone its own layer classes are
    allowed for that run's checkpoint, and only there."""
    section = {**SECTION, "name": "outside_backbones:subclassed"}
    path = save_checkpoint(tmp_path / "run.ckpt", {"task": 0, "frozen": make_backbone(section, 12, 5)}, "f")
    with pytest.raises(DataError, match="refused, it asks for outside_backbones.SubclassedMSTCN"):
        load_checkpoint(path, "f", torch.device("cpu"))
    state = load_checkpoint(path, "f", torch.device("cpu"), section)
    assert type(state["frozen"]).__name__ == "SubclassedMSTCN" and len(state["frozen"].stages) == 2
