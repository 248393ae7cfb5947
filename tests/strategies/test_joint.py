from loader_recording import three_tasks, train_recorded
from strategy_smoke import CPU, NUM_CLASSES

import strategies  # noqa: F401  (registers every strategy)
from strategies.registry import StrategyContext, build_strategy



def _plugins(name: str) -> list:
    return build_strategy(name, StrategyContext(None, 0, CPU, NUM_CLASSES), {}).plugins


def test_joint_trains_on_the_union_of_the_tasks_seen_so_far():
    epochs = train_recorded(_plugins("joint"), three_tasks(), epochs=2).epochs
    assert [len(epoch) for epoch in epochs] == [3, 3, 6, 6, 9, 9]
    for task in range(3):
        expected = sorted(f"t{t}v{i}" for t in range(task + 1) for i in range(3))
        assert sorted(epochs[2 * task]) == expected and sorted(epochs[2 * task + 1]) == expected


def test_finetune_trains_on_the_current_task_only():
    epochs = train_recorded(_plugins("finetune"), three_tasks(), epochs=1).epochs
    assert [sorted(epoch) for epoch in epochs] == [[f"t{t}v{i}" for i in range(3)] for t in range(3)]
