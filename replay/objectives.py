"""The network-inversion objective (P Eq. 8) of every segment of a task at once, in two exact forms.

Both give, for codes z (M, d), the per-segment loss — squared error summed over D, averaged over the
segment's frames — and its gradient with respect to z (of the sum over segments, so each code sees
only its own segment's error). The decoder is a frozen MLP: x̂ = W₂ relu(W₁[z; a; c] + b₁) + b₂.

`DirectObjective` decodes every frame and back-propagates through the decoder: O(h·D) per frame.
`GramObjective` uses that the decoder is fixed and only z moves:
- the first layer splits into a latent part, computed per code and gathered to its frames, and a
  condition part (action row, coherence, bias), a per-frame constant computed once;
- the loss through the output layer is a quadratic form in the hidden activations h. With
  G = W₂ᵀW₂ and ŵ the least-squares h for the frame (W₂ŵ closest to y = x − b₂),
  ‖W₂h − y‖² = (h − ŵ)ᵀG(h − ŵ) + ‖y − W₂ŵ‖², gradient 2G(h − ŵ) = 2(Gh − W₂ᵀy).
  G, ŵ, Gŵ and the out-of-span residual ‖y − W₂ŵ‖² are computed once per inversion (in float64),
  so a step costs one (N, h) x (h, h) product: O(h²) per frame.

Why this split rather than the textbook hᵀGh − 2hᵀW₂ᵀy + ‖y‖²: in float32 that sum loses
~1e-7·‖y‖² to cancellation, which can exceed the loss differences best-iterate selection compares
once the residual is small next to ‖y‖. Here the large constant part is computed exactly (float64)
and the moving part is a product of two small differences, h − ŵ and Gh − Gŵ, so its rounding is
of the order of the direct form's (relative to the residual, not to ‖y‖²). The selection loss is
therefore as exact as the direct form's, at every step, and best-iterate bookkeeping is unchanged.
"""
from __future__ import annotations

from typing import Protocol

import torch

from replay.tca import TCADecoder

# Frames per block of the one-off float64 set-up: bounds its extra memory to ~block·D·8 bytes.
SETUP_BLOCK_FRAMES = 8192


class Objective(Protocol):
    def __call__(self, codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(M, d) codes -> (per-segment loss (S,), gradient (M, d)), both detached."""


def _segment_sums(values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    # segments are runs of consecutive rows: a segmented reduction (no atomics, deterministic)
    return torch.segment_reduce(values, "sum", lengths=lengths, axis=0)


class DirectObjective:
    """P Eq. 8 as written: decode every frame from its code, back-propagate through the decoder."""

    def __init__(self, decoder: TCADecoder, x: torch.Tensor, labels: torch.Tensor, coherence: torch.Tensor,
                 code_of_frame: torch.Tensor, frames_per_code: torch.Tensor, lengths: torch.Tensor):
        self.decoder, self.x, self.labels, self.coherence = decoder, x, labels, coherence
        self.code_of_frame, self.lengths = code_of_frame, lengths

    def __call__(self, codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.enable_grad():
            codes = codes.detach().requires_grad_(True)
            error = (self.decoder(codes[self.code_of_frame], self.labels, self.coherence) - self.x).pow(2).sum(1)
            segment_loss = _segment_sums(error, self.lengths) / self.lengths
            (grad,) = torch.autograd.grad(segment_loss.sum(), codes)
        return segment_loss.detach(), grad


class GramObjective:
    """The same loss and gradient in O(h²) per frame per step (module docstring)."""

    @torch.no_grad()
    def __init__(self, decoder: TCADecoder, x: torch.Tensor, labels: torch.Tensor, coherence: torch.Tensor,
                 code_of_frame: torch.Tensor, frames_per_code: torch.Tensor, lengths: torch.Tensor):
        self.latent_weight = decoder.net[0].weight[:, : decoder.latent]
        self.condition = decoder.condition_part(labels, coherence)
        self.code_of_frame, self.frames_per_code, self.lengths = code_of_frame, frames_per_code, lengths
        out_weight = decoder.net[2].weight.double()
        gram = out_weight.t() @ out_weight
        # pinv handles a rank-deficient W₂ (D < h): any least-squares ŵ gives the identity above.
        # A non-finite W₂ (a diverged decoder) still reaches the loss, as NaN, through `gram` and
        # `outside`, so inversion reports it as it does in the direct form.
        to_span = torch.linalg.pinv(out_weight.nan_to_num()).t()
        targets, target_grams, outside = [], [], []
        for block in x.split(SETUP_BLOCK_FRAMES):
            y = block.double() - decoder.net[2].bias.double()
            target = y @ to_span
            outside.append((y - target @ out_weight.t()).square().sum(1))
            targets.append(target.float())
            target_grams.append((target @ gram).float())
        self.gram = gram.float()
        self.target, self.target_gram = torch.cat(targets), torch.cat(target_grams)
        self.offset = (_segment_sums(torch.cat(outside), lengths) / lengths).float()
        self.frame_weight = (2.0 / lengths.float()).repeat_interleave(lengths, output_size=len(x)).unsqueeze(1)

    @torch.no_grad()
    def __call__(self, codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pre = self.condition + torch.nn.functional.linear(codes, self.latent_weight)[self.code_of_frame]
        hidden = pre.relu()
        gap = torch.addmm(self.target_gram, hidden, self.gram, beta=-1)  # G(h − ŵ)
        inside = (hidden.sub_(self.target) * gap).sum(1)  # (h − ŵ)ᵀG(h − ŵ)
        segment_loss = self.offset + _segment_sums(inside, self.lengths) / self.lengths
        grad_pre = gap.mul_(self.frame_weight).mul_(pre > 0)
        return segment_loss, _segment_sums(grad_pre, self.frames_per_code) @ self.latent_weight


OBJECTIVES: dict[str, type] = {"direct": DirectObjective, "gram": GramObjective}
