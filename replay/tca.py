"""TCA (P §3.3, T §4.1): a per-frame conditional VAE over (feature, one-hot action, coherence).

Encoder MLP(D + C + 1 -> h -> 2d) gives (mu, logvar); decoder MLP(d + C + 1 -> h -> D) regenerates
a frame. One model per task; its decoder is what latent and generative memories keep.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from replay.transcripts import Transcripts
from tasks.errors import DataError
from tasks.precision import autocast
from tasks.video import Video


# Bounds on the encoder's log-variance: exp(logvar) in the KL term overflows once a long, noisy
# training drifts it far up (seen at D 2048 after ~150 epochs), and the model turns to NaN.
LOGVAR_RANGE = (-30.0, 20.0)


def _condition(labels: torch.Tensor, coherence: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.cat([F.one_hot(labels, num_classes).float(), coherence.unsqueeze(1)], dim=1)


class TCAEncoder(nn.Module):
    def __init__(self, dim: int, num_classes: int, latent: int, hidden: int):
        super().__init__()
        self.num_classes = num_classes
        self.net = nn.Sequential(nn.Linear(dim + num_classes + 1, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent))

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor, coherence: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, D), (N,) int64, (N,) -> mu, logvar, each (N, d)."""
        out = self.net(torch.cat([x, _condition(labels, coherence, self.num_classes)], dim=1))
        mu, logvar = out.chunk(2, dim=1)
        return mu, logvar.clamp(*LOGVAR_RANGE)


class TCADecoder(nn.Module):
    def __init__(self, dim: int, num_classes: int, latent: int, hidden: int):
        super().__init__()
        self.num_classes = num_classes
        self.latent = latent
        self.hidden = hidden
        self.dim = dim
        self.net = nn.Sequential(nn.Linear(latent + num_classes + 1, hidden), nn.ReLU(), nn.Linear(hidden, dim))

    def forward(self, z: torch.Tensor, labels: torch.Tensor, coherence: torch.Tensor) -> torch.Tensor:
        """(N, d), (N,) int64, (N,) -> (N, D) frames."""
        return self.net(torch.cat([z, _condition(labels, coherence, self.num_classes)], dim=1))

    # The first layer is linear in [z, one-hot(a), c], so it splits into a latent part and a
    # condition part: the one-hot product is a row of the weight matrix (a gather, no FLOPs), and
    # frames that share a code share its latent part, computed once per code.

    def latent_part(self, codes: torch.Tensor) -> torch.Tensor:
        """(M, d) codes -> (M, h) their share of the first layer's pre-activation."""
        return F.linear(codes, self.net[0].weight[:, : self.latent])

    def _action_rows(self) -> torch.Tensor:
        """(C, h) the first layer's response to each one-hot action, bias included."""
        return self.net[0].weight[:, self.latent : self.latent + self.num_classes].t() + self.net[0].bias

    def condition_part(self, labels: torch.Tensor, coherence: torch.Tensor) -> torch.Tensor:
        """(N,) int64, (N,) -> (N, h) the share of the action, the coherence and the bias."""
        return self._action_rows()[labels].addcmul_(coherence.unsqueeze(1), self.net[0].weight[:, -1])

    def decode(
        self, codes: torch.Tensor, code_of_frame: torch.Tensor, code_labels: torch.Tensor, coherence: torch.Tensor
    ) -> torch.Tensor:
        """(N, D) frames whose code is `codes[code_of_frame]`, the code of a segment labelled
        `code_labels`; equal to forward(codes[code_of_frame], code_labels[code_of_frame], coherence)
        up to rounding. A code's segment fixes its action, so the action joins the per-code part and
        only the coherence is added per frame."""
        per_code = self.latent_part(codes).add_(self._action_rows()[code_labels])
        hidden = per_code[code_of_frame].addcmul_(coherence.unsqueeze(1), self.net[0].weight[:, -1]).relu_()
        return self.net[2](hidden)

    def freeze(self) -> "TCADecoder":
        self.eval()
        self.requires_grad_(False)
        return self


class TCA(nn.Module):
    def __init__(self, dim: int, num_classes: int, latent: int = 256, hidden: int = 512):
        super().__init__()
        self.encoder = TCAEncoder(dim, num_classes, latent, hidden)
        self.decoder = TCADecoder(dim, num_classes, latent, hidden)

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor, coherence: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reconstruction through a reparameterised sample: (x_hat, mu, logvar)."""
        mu, logvar = self.encoder(x, labels, coherence)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decoder(z, labels, coherence), mu, logvar


def decoder_num_parameters(dim: int, num_classes: int, latent: int, hidden: int) -> int:
    """Parameters of a TCADecoder, known before training (fixed cost for budget feasibility)."""
    return (latent + num_classes + 1) * hidden + hidden + hidden * dim + dim


def tca_loss(
    x: torch.Tensor, x_hat: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-frame squared error summed over D and KL summed over d, both averaged over frames.

    Summing over dimensions on both sides keeps the ELBO's balance between D feature dims and d
    latent dims; an element-mean MSE against a summed KL would drive the posterior to collapse.
    Returns (total loss, reconstruction term).
    """
    recon = (x_hat - x).pow(2).sum(1).mean()
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1).mean()
    return recon + beta * kl, recon


def frame_tensors(videos: Sequence[Video], transcripts: Transcripts) -> tuple[torch.Tensor, ...]:
    """(N, D) float32 features, (N,) int64 labels and (N,) coherence of all frames of `videos`, on the CPU."""
    features = np.concatenate([video.features for video in videos]).astype(np.float32, copy=False)
    return (
        torch.from_numpy(features),
        torch.from_numpy(transcripts.frame_labels()),
        torch.from_numpy(transcripts.coherence()),
    )


def train_tca(
    videos: list[Video],
    num_classes: int,
    latent: int = 256,
    hidden: int = 512,
    epochs: int = 2500,
    lr: float = 1e-3,
    batch_frames: int = 4096,
    beta: float = 1.0,
    device: torch.device = torch.device("cpu"),
    seed: int = 0,
    progress: bool = False,
    precision: str = "fp32",
    report: Callable[[str, int, int], None] | None = None,
) -> TCA:
    """Train a TCA on every frame of `videos` (an epoch = one shuffled pass over them, Adam).

    Returns the model frozen (eval mode, no gradients): after its task it is only decoded/encoded.
    Deterministic for a seed on CPU: weights, shuffles and reparameterisation noise all come from
    generators seeded here, and the global RNG is left untouched. `precision` bf16 runs the forward
    pass under bfloat16 autocast; the loss is computed from its float32-cast outputs.
    `report("TCA", epochs done, epochs)` after every epoch, when given (a parent's live view).
    """
    x, labels, coherence = (t.to(device) for t in frame_tensors(videos, Transcripts.from_videos(videos)))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TCA(x.shape[1], num_classes, latent, hidden)
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    generator = torch.Generator(device=device).manual_seed(seed)
    num_frames = len(x)
    bar = tqdm(range(epochs), desc="TCA", disable=not progress, leave=False)
    for epoch in bar:
        order = torch.randperm(num_frames, generator=generator, device=device)
        for batch in order.split(batch_frames):
            with autocast(precision, device):
                outputs = model(x[batch], labels[batch], coherence[batch], generator)
            loss, recon = tca_loss(x[batch], *(output.float() for output in outputs), beta)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        # Checked once per epoch (one device sync): a diverged model would replay NaN features.
        if not torch.isfinite(loss):
            raise DataError(f"TCA training diverged at epoch {epoch + 1} of {epochs} (non-finite loss); "
                            f"lower tca_lr (now {lr:g}) or beta (now {beta:g})")
        if progress:
            bar.set_postfix(loss=f"{loss.item():.4g}", recon=f"{recon.item():.4g}")
        if report is not None:
            report("TCA", epoch + 1, epochs)
    model.eval().requires_grad_(False)
    return model
