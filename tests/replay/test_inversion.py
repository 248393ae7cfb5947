import numpy as np
import pytest
import torch
from synthetic_segments import procedural_videos

from replay.chunks import frame_coherence
from replay.inversion import chunk_index, decode_codes, encode_codes, invert_codes
from replay.tca import TCADecoder, train_tca
from replay.transcripts import Transcripts
from tasks.errors import DataError
from tasks.procedural import PRESETS, GeneratorParams, build_world, plan_videos, render_features
from tasks.video import Video, coherence


def test_chunk_index_by_hand():
    code_of_frame, codes_per_segment = chunk_index(np.array([6, 5, 1, 2]), 2)
    # 6 -> 3+3, 5 -> 3+2 (array_split puts the extra frame first), 1 -> one code, 2 -> 1+1
    np.testing.assert_array_equal(code_of_frame, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6])
    np.testing.assert_array_equal(codes_per_segment, [2, 2, 1, 2])


@pytest.mark.parametrize("k", [1, 3, 8])
def test_chunk_index_matches_array_split(k):
    lengths = np.random.default_rng(k).integers(1, 40, size=50)
    code_of_frame, codes_per_segment = chunk_index(lengths, k)
    expected, first = [], 0
    for length in lengths:
        chunks = np.array_split(np.arange(length), min(k, length))
        expected.extend(first + j for j, chunk in enumerate(chunks) for _ in chunk)
        first += len(chunks)
    np.testing.assert_array_equal(code_of_frame, expected)
    np.testing.assert_array_equal(codes_per_segment, np.minimum(k, lengths))


@pytest.fixture(scope="module")
def trained():
    videos = procedural_videos(num_videos=8, dim=16)
    model = train_tca(videos, 5, latent=4, hidden=64, epochs=300, batch_frames=128, seed=0)
    transcripts = Transcripts.from_videos(videos)
    x = torch.from_numpy(np.concatenate([v.features for v in videos]))
    labels = torch.from_numpy(transcripts.frame_labels())
    coherence = torch.from_numpy(transcripts.coherence())
    return model, x, labels, coherence, transcripts.lengths, transcripts.labels


def _segment_means(x: torch.Tensor, lengths: np.ndarray) -> torch.Tensor:
    segment = torch.from_numpy(np.repeat(np.arange(len(lengths)), lengths))
    sums = torch.zeros(len(lengths), x.shape[1]).index_add_(0, segment, x)
    return (sums / torch.from_numpy(lengths).float().unsqueeze(1))[segment]


@pytest.mark.parametrize("k, expected_inverted, expected_encoded", [(1, 0.110, 0.119), (2, 0.036, 0.053)])
def test_inversion_beats_encoding_beats_mean(trained, k, expected_inverted, expected_encoded):
    model, x, labels, coherence, lengths, seg_labels = trained
    inverted, _ = invert_codes(model.decoder, x, labels, coherence, lengths, k=k, steps=300, lr=0.05, seed=0)
    encoded = encode_codes(model.encoder, x, labels, coherence, lengths, k=k)
    errors = {
        name: (decode_codes(model.decoder, codes, seg_labels, lengths, k) - x).pow(2).mean().item()
        for name, codes in (("inverted", inverted), ("encoded", encoded))
    }
    mean_error = (_segment_means(x, lengths) - x).pow(2).mean().item()
    # per-element mean squared error over all 8 videos' frames; the per-segment mean leaves 0.220
    assert mean_error == pytest.approx(0.2202, abs=1e-4)
    assert errors["inverted"] == pytest.approx(expected_inverted, rel=0.05)
    assert errors["encoded"] == pytest.approx(expected_encoded, rel=0.05)
    assert errors["inverted"] < errors["encoded"] < mean_error


def test_encoded_codes_are_chunk_means_of_encoder_means(trained):
    model, x, labels, coherence, lengths, seg_labels = trained
    codes = encode_codes(model.encoder, x, labels, coherence, lengths, k=3)
    mu, _ = model.encoder(x, labels, coherence)
    expected, start = [], 0
    for length in lengths:
        for chunk in np.array_split(np.arange(start, start + length), min(3, length)):
            expected.append(mu[chunk].mean(0))
        start += length
    torch.testing.assert_close(codes, torch.stack(expected))


def test_best_iterate_is_kept_per_segment(trained):
    model, x, labels, coherence, lengths, seg_labels = trained
    trace = []
    codes, kept = invert_codes(
        model.decoder, x, labels, coherence, lengths, k=1, steps=20, lr=10.0, seed=1,
        on_step=lambda step, loss: trace.append(loss.clone()),
    )
    trace = torch.stack(trace)
    assert trace.shape == (21, len(lengths))  # iterates 0..20, the last after the final update
    assert (kept.unsqueeze(0) <= trace).all()
    torch.testing.assert_close(kept, trace.min(0).values)
    # a huge step size overshoots: the last iterate is worse than the kept one for most segments
    assert (trace[-1] > kept).float().mean() > 0.5
    # the returned codes really are the kept ones: decoding them gives the kept losses
    error = (decode_codes(model.decoder, codes, seg_labels, lengths, 1) - x).pow(2).sum(1)
    segment = torch.from_numpy(np.repeat(np.arange(len(lengths)), lengths))
    per_segment = torch.zeros(len(lengths)).index_add_(0, segment, error) / torch.from_numpy(lengths).float()
    torch.testing.assert_close(per_segment, kept)


def test_seeded_and_decoder_untouched(trained):
    model, x, labels, coherence, lengths, _ = trained
    weights = [p.clone() for p in model.decoder.parameters()]
    first, _ = invert_codes(model.decoder, x, labels, coherence, lengths, k=2, steps=5, seed=7)
    second, _ = invert_codes(model.decoder, x, labels, coherence, lengths, k=2, steps=5, seed=7)
    assert torch.equal(first, second)
    assert first.shape == (int(np.minimum(2, lengths).sum()), 4)
    assert all(torch.equal(a, b) for a, b in zip(weights, model.decoder.parameters()))


@pytest.mark.parametrize("k", [1, 3])
def test_gram_and_direct_forms_find_the_same_codes(trained, k):
    model, x, labels, coherence, lengths, _ = trained
    runs = {
        form: invert_codes(model.decoder, x, labels, coherence, lengths, k=k, steps=40, lr=0.05, seed=3, form=form)
        for form in ("direct", "gram")
    }
    torch.testing.assert_close(runs["gram"][0], runs["direct"][0], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(runs["gram"][1], runs["direct"][1], rtol=1e-5, atol=1e-6)


def test_on_breakfast_like_data_at_equal_storage_to_the_mean():
    """The embedded procedural generator (AR(1) noise, scene offsets), one activity, D 32: K 4 codes
    of d 8 per segment hold as many floats as the mean's one D-vector, and reconstruct better."""
    params = GeneratorParams("noise-dominated", dim=32, videos_per_activity=8, length_scale=0.1, seed=0)
    plans = [plan for plan in plan_videos(params) if plan.activity == "cereals"]
    world, rng = build_world(params), np.random.default_rng(0)
    difficulty = PRESETS[params.preset].difficulty
    videos = [
        Video(p.name, p.activity, render_features(p, world, difficulty, params.length_scale, rng), np.repeat(p.segment_actions, p.lengths))
        for p in plans
    ]
    num_classes = len(PRESETS[params.preset].actions)
    model = train_tca(videos, num_classes, latent=8, hidden=64, epochs=60, lr=3e-3, batch_frames=256, seed=0)
    transcripts = Transcripts.from_videos(videos)
    x = torch.from_numpy(np.concatenate([v.features for v in videos]))
    labels = torch.from_numpy(transcripts.frame_labels())
    coherence = torch.from_numpy(transcripts.coherence())
    lengths = transcripts.lengths
    inverted, _ = invert_codes(model.decoder, x, labels, coherence, lengths, k=4, steps=150, lr=0.05, seed=0)
    encoded = encode_codes(model.encoder, x, labels, coherence, lengths, k=4)
    error = lambda codes: (decode_codes(model.decoder, codes, transcripts.labels, lengths, 4) - x).pow(2).mean().item()
    mean_error = (_segment_means(x, lengths) - x).pow(2).mean().item()
    # 8 videos, 763 frames; the per-element variance of the features is 13.43, of which the noise
    # (std 3.5, nearly white at length scale 0.1) is 12.25 and cannot be reconstructed by anything
    assert mean_error == pytest.approx(11.580, abs=1e-3)
    assert error(inverted) == pytest.approx(11.380, rel=0.002)
    assert error(encoded) == pytest.approx(11.452, rel=0.002)
    assert error(inverted) < error(encoded) < mean_error


def test_inversion_through_a_broken_decoder_is_a_one_line_error():
    decoder = TCADecoder(dim=4, num_classes=2, latent=2, hidden=8)
    with torch.no_grad():
        decoder.net[-1].weight[0, 0] = float("nan")
    lengths = np.array([3, 2])
    with pytest.raises(DataError, match="network inversion found no finite reconstruction for 2 of 2 segments"):
        invert_codes(decoder.freeze(), torch.zeros(5, 4), torch.zeros(5, dtype=torch.long), torch.zeros(5), lengths,
                     steps=2)


def test_frame_coherence_on_the_device_equals_the_numpy_one():
    lengths = np.random.default_rng(0).integers(1, 60, size=40)
    np.testing.assert_array_equal(frame_coherence(lengths).numpy(), coherence(lengths))


@pytest.mark.parametrize("dim, hidden, expected", [(32, 16, "gram"), (16, 32, "direct")])
def test_auto_form_is_the_cheaper_one(dim, hidden, expected):
    torch.manual_seed(0)
    decoder = TCADecoder(dim, num_classes=3, latent=4, hidden=hidden).freeze()
    lengths = np.array([4, 3, 5])
    x, labels, c = torch.randn(12, dim), torch.from_numpy(np.repeat([0, 2, 1], lengths)), frame_coherence(lengths)
    runs = {form: invert_codes(decoder, x, labels, c, lengths, steps=3, seed=1, form=form)
            for form in ("auto", "gram", "direct")}
    assert all(torch.equal(a, b) for a, b in zip(runs["auto"], runs[expected]))
    assert not torch.equal(runs["gram"][1], runs["direct"][1])  # the two forms round differently
