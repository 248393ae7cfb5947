import torch
from strategy_smoke import assert_plain_state, assert_scores_in_range, run_two_tasks

from replay.budget import Budget
from strategies.agem import project


def test_projected_gradient_never_conflicts_with_the_reference():
    rng = torch.Generator().manual_seed(0)
    for _ in range(200):
        gradient, reference = torch.randn(7, generator=rng), torch.randn(7, generator=rng)
        projected = project(gradient, reference)
        assert torch.dot(projected, reference).item() >= -1e-5
        if torch.dot(gradient, reference) >= 0:
            assert projected is gradient
        else:
            assert abs(torch.dot(projected, reference).item()) < 1e-5  # onto the boundary, not beyond
    # by hand: g = (1, -2), g_ref = (0, 1): dot -2 → g - (-2/1)(0, 1) = (1, 0)
    assert project(torch.tensor([1.0, -2.0]), torch.tensor([0.0, 1.0])).tolist() == [1.0, 0.0]


def test_smoke_two_tasks_constrains_the_second_task_only():
    scores, parts = run_two_tasks("agem", {"sample_size": 2}, Budget(videos=4))
    assert_scores_in_range(scores, ("",))
    plugin = parts.plugins[0]
    # 3 + 2 mini-batches: 2 on task 1, where the memory holds task 0; the memory is never trained on
    assert plugin.steps == 4 and plugin.replayed_videos == 0 and plugin.references == []
    assert {task: held["videos"] for task, held in parts.memory.stored().items()} == {0: 2, 1: 2}
    assert_plain_state(plugin, parts.memory)
