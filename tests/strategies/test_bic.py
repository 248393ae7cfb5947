import pytest
import torch
from strategy_smoke import assert_plain_state, assert_scores_in_range, run_two_tasks

from replay.budget import Budget
from strategies.bic import correct, fit_bias


def test_fitted_correction_removes_a_bias_towards_the_new_classes():
    # Frames of old classes 0, 1 and new classes 2, 3; the new classes' logits carry +3.
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(4).repeat(50)
    clean = torch.nn.functional.one_hot(labels, 4).float() * 2 + 0.5 * torch.randn(200, 4, generator=generator)
    biased = clean.clone()
    biased[:, 2:] += 3.0
    before = (biased.argmax(1) == labels).float().mean().item()
    scale, shift = fit_bias(biased, labels, torch.tensor([2, 3]), steps=300)
    corrected = biased.clone()
    corrected[:, 2:] = biased[:, 2:] * scale + shift
    after = (corrected.argmax(1) == labels).float().mean().item()
    assert before < 0.6 and after > 0.9 and shift < -1.0


def test_correction_touches_the_given_classes_of_every_stage_only():
    output = torch.ones(2, 1, 4, 3)
    corrected = correct(output, [1, 3], 0.5, -1.0)
    assert corrected[:, :, [1, 3]].unique().tolist() == [-0.5] and corrected[:, :, [0, 2]].unique().tolist() == [1.0]
    assert output.unique().tolist() == [1.0]


def test_smoke_two_tasks_fits_on_held_out_videos_only():
    scores, parts = run_two_tasks("bic", {"bias_steps": 20}, Budget(videos=4))
    assert_scores_in_range(scores, ("",))
    plugin = parts.plugins[1]
    # task 1: task 0's last stored video and one of task 1's three were held out of training
    assert len(plugin.held_out) == 1 and plugin.held_out[0].startswith("replay:0:")
    assert len(plugin.held_out_current) == 1 and plugin.replayed_videos == 2
    assert plugin.correction["classes"] == [2, 3] and plugin.correction["scale"] != pytest.approx(1.0, abs=1e-6)
    assert_plain_state(plugin, parts.memory)
