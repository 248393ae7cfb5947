import numpy as np
import pytest
import torch
from synthetic_segments import procedural_videos

from replay.held import held_nbytes
from replay.tca import TCA, TCADecoder, decoder_num_parameters, frame_tensors, tca_loss, train_tca
from replay.transcripts import Transcripts
from tasks.errors import DataError
from tasks.video import Video


def test_decoder_size_known_before_training():
    # (d + C + 1) * h + h + h * D + D = (4 + 5 + 1) * 8 + 8 + 8 * 16 + 16
    assert decoder_num_parameters(dim=16, num_classes=5, latent=4, hidden=8) == 232
    model = TCA(16, 5, latent=4, hidden=8)
    assert sum(p.numel() for p in model.decoder.parameters()) == 232
    assert held_nbytes(model.decoder) == 232 * 4
    # encoder: (D + C + 1) * h + h + h * 2d + 2d = 22 * 8 + 8 + 64 + 8
    assert sum(p.numel() for p in model.encoder.parameters()) == 256


def test_shapes_of_encoder_and_decoder():
    model = TCA(16, 5, latent=4, hidden=8)
    x, labels, c = torch.randn(7, 16), torch.tensor([0, 0, 1, 1, 1, 4, 4]), torch.linspace(0, 1, 7)
    mu, logvar = model.encoder(x, labels, c)
    assert mu.shape == logvar.shape == (7, 4)
    assert model.decoder(mu, labels, c).shape == (7, 16)


def test_frame_tensors_from_segments():
    video = Video("v", "a", np.zeros((6, 2), dtype=np.float32), np.array([2, 2, 2, 0, 1, 1]))
    features, labels, coherence = frame_tensors([video, video], Transcripts.from_videos([video, video]))
    assert features.shape == (12, 2) and features.dtype == torch.float32
    np.testing.assert_array_equal(labels, [2, 2, 2, 0, 1, 1] * 2)
    np.testing.assert_allclose(coherence, [0, 0.5, 1, 0, 0, 1] * 2)


def test_loss_terms_by_hand():
    x = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    x_hat = torch.tensor([[0.0, 2.0], [1.0, 1.0]])
    mu = torch.tensor([[1.0], [0.0]])
    logvar = torch.zeros(2, 1)
    loss, recon = tca_loss(x, x_hat, mu, logvar, beta=2.0)
    # recon: frames sum (1) and (2) -> mean 1.5; KL: 0.5 * mu^2 -> frames 0.5, 0 -> mean 0.25
    assert recon.item() == 1.5
    assert loss.item() == 1.5 + 2.0 * 0.25


def test_training_is_seeded_frozen_and_learns():
    videos = procedural_videos(num_videos=4, dim=16)
    rng_before = torch.get_rng_state()
    kwargs = dict(num_classes=5, latent=4, hidden=32, epochs=60, batch_frames=64)
    first = train_tca(videos, seed=3, **kwargs)
    assert torch.equal(rng_before, torch.get_rng_state())
    second = train_tca(videos, seed=3, **kwargs)
    other = train_tca(videos, seed=4, **kwargs)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    assert not torch.equal(first.decoder.net[0].weight, other.decoder.net[0].weight)
    assert not first.training and not any(p.requires_grad for p in first.parameters())

    x, labels, coherence = frame_tensors(videos, Transcripts.from_videos(videos))
    untrained = TCA(16, 5, latent=4, hidden=32)
    errors = []
    for model in (untrained, first):
        with torch.no_grad():
            mu, _ = model.encoder(x, labels, coherence)
            errors.append((model.decoder(mu, labels, coherence) - x).pow(2).mean().item())
    # the data's per-element variance is 1.95; an untrained decoder's error is about E[x^2] (2.04),
    # 60 epochs bring the error through the encoder means to 0.34
    variance = x.var(0).mean().item()
    assert errors[1] < 0.2 * variance < variance < errors[0]


def test_bf16_autocast_training_runs_and_stays_close_to_fp32():
    """CPU autocast exercises the bf16 path (runs refuse bf16 on the CPU, tasks/precision.py)."""
    videos = procedural_videos(num_videos=4, dim=16)
    kwargs = dict(num_classes=5, latent=4, hidden=32, epochs=20, batch_frames=64, seed=3)
    exact, rounded = train_tca(videos, **kwargs), train_tca(videos, precision="bf16", **kwargs)
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in rounded.parameters())
    gaps = [(a - b).abs().max().item() for a, b in zip(exact.parameters(), rounded.parameters())]
    assert 0 < max(gaps) < 0.05


def test_logvar_is_bounded_so_the_kl_term_cannot_overflow():
    model = TCA(dim=6, num_classes=3, latent=2, hidden=8)
    with torch.no_grad():
        model.encoder.net[-1].bias[2:] = 1e4  # the log-variance half of the output
    _, logvar = model.encoder(torch.zeros(4, 6), torch.zeros(4, dtype=torch.long), torch.zeros(4))
    assert torch.equal(logvar, torch.full((4, 2), 20.0))


def test_a_diverging_training_stops_with_a_one_line_error():
    videos = procedural_videos(num_videos=2, num_classes=3, dim=6)
    with pytest.raises(DataError, match=r"TCA training diverged at epoch \d+ of 50 \(non-finite loss\); lower tca_lr"):
        train_tca(videos, 3, latent=2, hidden=8, epochs=50, lr=1e30, batch_frames=16)


def test_decode_from_codes_equals_the_forward_pass_on_per_frame_inputs():
    torch.manual_seed(0)
    decoder = TCADecoder(dim=24, num_classes=7, latent=5, hidden=16).freeze()
    codes, code_labels = torch.randn(6, 5), torch.tensor([3, 3, 0, 6, 1, 1])
    code_of_frame = torch.tensor([0, 0, 1, 2, 2, 2, 3, 4, 5, 5])
    coherence = torch.rand(10)
    expected = decoder(codes[code_of_frame], code_labels[code_of_frame], coherence)
    torch.testing.assert_close(decoder.decode(codes, code_of_frame, code_labels, coherence), expected)
