import torch
import torch.nn.functional as F

from strategies.backbones import MSTCN


def conv1d_reference(model: MSTCN, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The reference model.py's Conv1d stack (channels-first) with the model's weights, eval mode."""
    def conv(linear, h, taps=1, dilation=1):
        out_dim = linear.weight.shape[0]
        weight = linear.weight.view(out_dim, taps, -1).permute(0, 2, 1)
        return F.conv1d(h, weight, linear.bias, padding=dilation * (taps // 2), dilation=dilation)

    m = mask.unsqueeze(1)
    h_in = x.transpose(1, 2)
    outputs = []
    for stage in model.stages:
        h = conv(stage.conv_in, h_in) * m
        for layer in stage.layers:
            h = (h + conv(layer.conv_1x1, F.relu(conv(layer.conv_dilated, h, 3, layer.dilation)))) * m
        out = conv(stage.conv_out, h) * m
        outputs.append(out)
        h_in = F.softmax(out, dim=1) * m
    return torch.stack(outputs)


def test_channels_last_layers_compute_the_reference_dilated_convolutions():
    torch.manual_seed(0)
    model = MSTCN(in_dim=6, num_classes=5, stages=3, layers=5, maps=8).eval()
    x = torch.randn(2, 40, 6)
    mask = torch.ones(2, 40)
    mask[1, 29:] = 0
    logits = model(x, mask)
    assert logits.shape == (3, 2, 5, 40)
    assert model.last_embedding.shape == (2, 8, 40)
    torch.testing.assert_close(logits, conv1d_reference(model, x, mask), rtol=1e-5, atol=1e-5)


def test_a_videos_logits_do_not_depend_on_its_batch():
    torch.manual_seed(1)
    model = MSTCN(in_dim=4, num_classes=3, stages=2, layers=4, maps=8).eval()
    short = torch.randn(1, 20, 4)
    alone = model(short, torch.ones(1, 20))
    padded = torch.cat([torch.cat([short, torch.full((1, 12, 4), 7.0)], 1), torch.randn(1, 32, 4)])
    mask = torch.ones(2, 32)
    mask[0, 20:] = 0
    batched = model(padded, mask)
    torch.testing.assert_close(batched[:, :1, :, :20], alone, rtol=1e-5, atol=1e-6)
    assert torch.all(batched[:, 0, :, 20:] == 0)


def test_gradients_reach_every_parameter():
    torch.manual_seed(2)
    model = MSTCN(in_dim=4, num_classes=3, stages=2, layers=3, maps=8)
    model(torch.randn(2, 16, 4), torch.ones(2, 16)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
