"""ASFormer: shapes, local attention windows against a dense banded reference, padding invariance,
the masked instance norm, and the decoders' decaying alpha."""
import math

import pytest
import torch

from strategies.backbones import ASFormer, MSTCN
from strategies.backbones.asformer import LocalAttention, masked_instance_norm


def test_shapes_and_last_embedding():
    model = ASFormer(12, 7, stages=3, layers=4, maps=8).eval()
    logits = model(torch.randn(2, 37, 12), torch.ones(2, 37))
    assert logits.shape == (3, 2, 7, 37)
    assert model.last_embedding.shape == (2, 8, 37)
    assert [block.alpha for block in model.stages[0].blocks] == [1.0] * 4
    assert [stage.blocks[0].alpha for stage in model.stages[1:]] == [1.0, math.exp(-3)]


@pytest.mark.parametrize("block, length", [(1, 5), (2, 9), (4, 13), (8, 8), (16, 7)])
def test_local_attention_equals_dense_attention_over_each_blocks_window(block, length):
    """Frame t in block n = t // bl attends to keys [n·bl − ⌊bl/2⌋, (n+1)·bl + ⌊bl/2⌋) that exist."""
    torch.manual_seed(0)
    layer = LocalAttention(8, block, cross=False)
    x = torch.randn(1, 8, length)
    mask = torch.ones(1, 1, length)
    q, k, v = layer.query(x)[0], layer.key(x)[0], layer.value(x)[0]
    energy = q.T @ k / math.sqrt(q.shape[0])
    t = torch.arange(length)
    start = (t // block) * block - block // 2
    allowed = (t[None, :] >= start[:, None]) & (t[None, :] < start[:, None] + block + 2 * (block // 2))
    weights = torch.softmax(energy.masked_fill(~allowed, float("-inf")), dim=1)
    expected = layer.out(torch.relu(v @ weights.T).unsqueeze(0))
    torch.testing.assert_close(layer(x, None, mask), expected, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("backbone", [ASFormer, MSTCN])
def test_a_videos_logits_do_not_depend_on_its_batch(backbone):
    torch.manual_seed(0)
    model = backbone(6, 5, stages=2, layers=5, maps=8).eval()
    short, long = torch.randn(1, 23, 6), torch.randn(1, 40, 6)
    alone = model(short, torch.ones(1, 23))
    batch = torch.zeros(2, 40, 6)
    batch[0, :23], batch[1] = short[0], long[0]
    mask = torch.zeros(2, 40)
    mask[0, :23], mask[1] = 1, 1
    together = model(batch, mask)
    torch.testing.assert_close(together[:, 0, :, :23], alone[:, 0], atol=1e-5, rtol=1e-4)
    assert together[:, 0, :, 23:].abs().max() == 0  # padded frames are masked out


def test_masked_instance_norm_matches_instance_norm_on_valid_frames():
    x = torch.randn(1, 4, 10)
    torch.testing.assert_close(masked_instance_norm(x, torch.ones(1, 1, 10)), torch.nn.InstanceNorm1d(4)(x),
                               atol=1e-5, rtol=1e-4)
    padded = torch.cat([x, torch.full((1, 4, 6), 50.0)], dim=2)
    mask = torch.cat([torch.ones(1, 1, 10), torch.zeros(1, 1, 6)], dim=2)
    torch.testing.assert_close(masked_instance_norm(padded, mask)[..., :10], masked_instance_norm(x, torch.ones(1, 1, 10)))


def test_parameter_counts_match_the_reference_models():
    """Official classes at Breakfast size (D 2048, 48 classes): ASFormer MyTransformer(3, 10, 2, 2, 64,
    2048, 48, 0.3) has 1,147,584 parameters, MS-TCN MultiStageModel(4, 10, 64, 2048, 48) 813,504."""
    count = lambda model: sum(p.numel() for p in model.parameters())
    assert count(ASFormer(2048, 48, stages=4, layers=10, maps=64)) == 1_147_584
    assert count(MSTCN(2048, 48, stages=4, layers=10, maps=64)) == 813_504
