import numpy as np
import pytest
import torch
from strategy_smoke import CPU, DIM, NUM_CLASSES, assert_plain_state, assert_scores_in_range, run_two_tasks, tiny_tasks

from replay.budget import Budget
from replay.memory import MemoryContext
from strategies.backbones import MSTCN
from strategies.derpp import LogitMemory, logit_mse
from strategies.registry import StrategyContext, build_strategy
from tasks.errors import DataError


def _stored(dtype: str):
    torch.manual_seed(1)
    model = MSTCN(DIM, NUM_CLASSES, stages=2, layers=2, maps=8, dropout=0.5)  # dropout: eval mode must be used
    memory = LogitMemory(Budget(videos=3), NUM_CLASSES, dtype)
    videos = tiny_tasks()[0].train
    memory.logit_model = model
    memory.add_task(0, videos, MemoryContext(CPU, NUM_CLASSES))
    return model, memory, videos


@pytest.mark.parametrize("dtype, tolerance", [("float32", 0.0), ("float16", 1e-3)])
def test_stored_logits_equal_the_model_outputs_at_storage_time(dtype, tolerance):
    model, memory, videos = _stored(dtype)
    model.eval()
    stored = memory.stored_logits(CPU)
    assert sorted(stored) == sorted(f"replay:0:{v.name}" for v in videos)
    for video in videos:  # each video alone, without padding: the batched store must not depend on it
        x = torch.from_numpy(video.features)[None]
        expected = model(x, torch.ones(1, video.num_frames))[-1, 0]
        torch.testing.assert_close(stored[f"replay:0:{video.name}"], expected.detach(), rtol=tolerance, atol=tolerance)
    (task,) = memory.task_memories
    assert {record.held["other"].dtype for record in task.records} == {np.dtype(dtype)}


def test_bytes_are_the_original_memorys_plus_the_logits_by_hand():
    _, memory, videos = _stored("float16")
    # 3 videos of 12, 15, 18 frames, 6-d float32 features, two segments each (run-length int32 label
    # and length: 2·2·4 B), and 4 float16 logits per frame
    frames = 12 + 15 + 18
    assert [v.num_frames for v in videos] == [12, 15, 18]
    assert memory.nbytes() == {"features": frames * 6 * 4, "codes": 0, "transcripts": 3 * 16, "decoders": 0,
                               "noise": 0, "other": frames * 4 * 2}


def test_logit_mse_ignores_padding():
    logits, stored = torch.zeros(1, 2, 3), torch.zeros(1, 2, 3)
    stored[0, :, 0] = torch.tensor([1.0, 3.0])
    stored[0, :, 2] = 1e6  # padding
    assert logit_mse(logits, stored, torch.tensor([[1.0, 1.0, 0.0]])).item() == pytest.approx((1 + 9) / 4)


def test_bad_params():
    ctx = StrategyContext(Budget(videos=2), 0, CPU, NUM_CLASSES)
    with pytest.raises(DataError, match="^strategies.derpp: parameter 'logits' must be one of float16, float32"):
        build_strategy("derpp", ctx, {"logits": "int8"})
    with pytest.raises(DataError, match="^strategies.derpp: parameter 'alpha' must be a number >= 0, got -1$"):
        build_strategy("derpp", ctx, {"alpha": -1})
    with pytest.raises(DataError, match="^strategies.derpp: unknown parameter 'K'"):
        build_strategy("derpp", ctx, {"K": 1})
    with pytest.raises(DataError, match="^strategies.derpp: needs a replay budget"):
        build_strategy("derpp", StrategyContext(None, 0, CPU, NUM_CLASSES), {})


def test_smoke_two_tasks():
    scores, parts = run_two_tasks("derpp", {"selection": "herding"}, Budget(videos=4))
    assert_scores_in_range(scores, ("",))
    assert parts.memory.selection == "herding" and parts.plugins[0].targets == {}
    assert {task: held["videos"] for task, held in parts.memory.stored().items()} == {0: 2, 1: 2}
    assert_plain_state(parts.plugins[0], parts.memory)
    assert parts.memory.logit_model is None
