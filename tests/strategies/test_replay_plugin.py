import numpy as np
import torch
from loader_recording import three_tasks, train_recorded
from strategy_smoke import CPU, DIM, NUM_CLASSES

import strategies  # noqa: F401  (registers every strategy)
from replay.budget import Budget
from replay.exemplars import OriginalMemory
from replay.memory import MemoryContext
from strategies.registry import StrategyContext, build_strategy
from strategies.replay_plugin import ReplayPlugin
from tasks.video import Video



class ScriptedMemory:
    """A Memory that records every call and replays `per_task` constant videos per stored task."""

    def __init__(self, per_task: int):
        self.per_task = per_task
        self.added: list[tuple[int, list[str], MemoryContext]] = []
        self.replays: list[int] = []

    def add_task(self, task: int, videos: list[Video], ctx: MemoryContext) -> None:
        self.added.append((task, [v.name for v in videos], ctx))

    def replay(self, device: torch.device) -> list[Video]:
        videos = [
            Video(f"replay:{task}:{k}", "replayed", np.zeros((5 + k, DIM), np.float32), np.full(5 + k, task, np.int64))
            for task, _, _ in self.added for k in range(self.per_task)
        ]
        self.replays.append(len(videos))
        return videos

    def nbytes(self) -> dict[str, int]:
        return {}

    def stored(self) -> dict[int, dict[str, int]]:
        return {}


def test_replay_joins_the_next_tasks_data_and_add_task_follows_each_task():
    tasks = three_tasks()
    memory = ScriptedMemory(per_task=2)
    plugin = ReplayPlugin(memory, [t.train for t in tasks], NUM_CLASSES, seed=7)
    epochs = train_recorded([plugin], tasks, epochs=2).epochs
    # replay() before each task's training: nothing stored yet, then 2, then 4 videos
    assert memory.replays == [0, 2, 4] and plugin.replayed_videos == 4
    assert [len(epoch) for epoch in epochs] == [3, 3, 5, 5, 7, 7]
    assert sorted(epochs[4]) == ["replay:0:0", "replay:0:1", "replay:1:0", "replay:1:1", "t2v0", "t2v1", "t2v2"]
    assert [(task, names) for task, names, _ in memory.added] == [
        (t, [f"t{t}v{i}" for i in range(3)]) for t in range(3)]
    ctx = memory.added[0][2]
    assert (ctx.device, ctx.num_classes, ctx.seed, ctx.progress) == (CPU, NUM_CLASSES, 7, False)


def test_original_memory_replays_exactly_what_it_holds():
    tasks = three_tasks()
    memory = OriginalMemory(Budget(videos=3))
    plugin = ReplayPlugin(memory, [t.train for t in tasks], NUM_CLASSES, seed=0)
    epochs = train_recorded([plugin], tasks, epochs=1).epochs
    # 3 videos shared by the seen tasks, remainder to the oldest: 3 | 2 1 | 1 1 1
    assert [len(epoch) for epoch in epochs] == [3, 3 + 3, 3 + 3]
    assert sorted(name for name in epochs[1] if name.startswith("replay:")) == [
        f"replay:0:t0v{i}" for i in range(3)]
    replayed = [name for name in epochs[2] if name.startswith("replay:")]
    assert sorted(name.split(":")[1] for name in replayed) == ["0", "0", "1"]
    assert [v.name.split(":")[1] for v in memory.replay(CPU)] == ["0", "1", "2"]
    assert {task: held["videos"] for task, held in memory.stored().items()} == {0: 1, 1: 1, 2: 1}


def test_registry_replay_strategy_wraps_its_memory_in_a_replay_plugin():
    tasks = three_tasks()
    ctx = StrategyContext(Budget(videos=3), 5, CPU, NUM_CLASSES, [t.train for t in tasks])
    parts = build_strategy("mean", ctx, {"selection": "herding"})
    (plugin,) = parts.plugins
    assert isinstance(plugin, ReplayPlugin) and plugin.memory is parts.memory
    assert (parts.memory.budget, parts.memory.selection, plugin.seed) == (Budget(videos=3), "herding", 5)
    assert plugin.train_videos == ctx.train_videos
