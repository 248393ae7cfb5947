import numpy as np
import pytest
import torch

from replay.chunks import chunk_index, frame_coherence
from replay.objectives import DirectObjective, GramObjective
from replay.tca import TCADecoder


def _problem(dim: int, hidden: int, k: int, seed: int, scale: float = 1.0):
    """A random decoder (output weights times `scale`), random segments, frames and codes."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    decoder = TCADecoder(dim, num_classes=6, latent=5, hidden=hidden)
    with torch.no_grad():
        decoder.net[2].weight *= scale
    decoder.freeze()
    lengths = np.random.default_rng(seed).integers(1, 12, size=9)
    code_of_frame, codes_per_segment = chunk_index(lengths, k)
    labels, coherence = torch.from_numpy(np.repeat(np.arange(9) % 6, lengths)), frame_coherence(lengths)
    x = torch.randn(int(lengths.sum()), dim, generator=generator)
    codes = torch.randn(int(codes_per_segment.sum()), 5, generator=generator)
    frames_per_code = torch.bincount(code_of_frame, minlength=len(codes))
    args = (decoder, x, labels, coherence, code_of_frame, frames_per_code, torch.from_numpy(lengths))
    return args, codes


def _float64_reference(args, codes):
    decoder, x, labels, coherence, code_of_frame, _, lengths = args
    decoder = TCADecoder(decoder.dim, decoder.num_classes, decoder.latent, decoder.hidden).double()
    decoder.load_state_dict({name: p.double() for name, p in args[0].state_dict().items()})
    codes = codes.double().requires_grad_(True)
    error = (decoder(codes[code_of_frame], labels, coherence.double()) - x.double()).pow(2).sum(1)
    loss = torch.zeros(len(lengths), dtype=torch.float64).index_add_(
        0, torch.arange(len(lengths)).repeat_interleave(lengths), error) / lengths
    (grad,) = torch.autograd.grad(loss.sum(), codes)
    return loss.detach(), grad


# D < h makes W2 rank-deficient (the least-squares target is not unique)
@pytest.mark.parametrize("dim, hidden, k, seed", [(48, 16, 1, 0), (48, 16, 3, 1), (8, 32, 2, 2), (130, 64, 4, 3)])
def test_gram_form_equals_direct_form_loss_and_gradient(dim, hidden, k, seed):
    args, codes = _problem(dim, hidden, k, seed)
    direct_loss, direct_grad = DirectObjective(*args)(codes)
    gram_loss, gram_grad = GramObjective(*args)(codes)
    reference_loss, reference_grad = _float64_reference(args, codes)
    assert direct_loss.shape == gram_loss.shape == (9,)
    assert gram_grad.shape == direct_grad.shape == codes.shape
    torch.testing.assert_close(gram_loss, direct_loss, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(gram_grad, direct_grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(gram_loss.double(), reference_loss, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(gram_grad.double(), reference_grad, rtol=1e-4, atol=1e-5)


def test_a_small_residual_next_to_large_frames_keeps_its_precision():
    """x = decoded frames + 1e-3 noise with output weights scaled by 1e3: the loss (~1e-4 per frame)
    is ~1e-12 of ||x - b||^2, far below what hᵀGh - 2hᵀW₂ᵀy + ||y||² keeps in float32."""
    args, codes = _problem(dim=64, hidden=32, k=1, seed=4, scale=1e3)
    decoder, x, labels, coherence, code_of_frame = args[:5]
    with torch.no_grad():
        x.copy_(decoder(codes[code_of_frame], labels, coherence) + 1e-3 * torch.randn(x.shape))
    reference_loss, _ = _float64_reference(args, codes)
    gram_loss, _ = GramObjective(*args)(codes)
    assert reference_loss.max() < 1e-3
    torch.testing.assert_close(gram_loss.double(), reference_loss, rtol=0.01, atol=0)
