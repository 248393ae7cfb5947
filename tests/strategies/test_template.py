import pytest
import torch
from loader_recording import LoaderRecorder, template, train_recorded
from strategy_smoke import tiny_tasks

from strategies.benchmark import make_benchmark
from tasks.torchdata import PAD_LABEL



def test_loss_decreases_on_a_fixed_batch():
    # All 3 training videos in one mini-batch: every epoch is one step on the same padded batch.
    torch.manual_seed(0)
    recorder = LoaderRecorder()
    strategy = template([recorder], epochs=12, batch=3)
    strategy.train(make_benchmark(tiny_tasks()[:1]).train_stream[0])
    assert len(recorder.losses) == 12
    # two stages of 4-class CE start near 2 ln 4 = 2.77 (plus smoothing); each Adam step lowers it
    assert 2.5 < recorder.losses[0] < 3.5
    assert all(b < a for a, b in zip(recorder.losses, recorder.losses[1:])), recorder.losses
    assert recorder.losses[-1] < 0.5 * recorder.losses[0], recorder.losses


def test_minibatches_are_padded_dicts_with_video_names():
    torch.manual_seed(0)
    recorder = LoaderRecorder()
    template([recorder], epochs=1, batch=3).train(make_benchmark(tiny_tasks()[:1]).train_stream[0])
    batch = recorder.batches[0]
    assert set(batch) == {"x", "y", "mask", "video", "activity"}
    assert batch["x"].shape == (3, 18, 6) and batch["y"].shape == (3, 18)  # videos of 12, 15, 18 frames
    lengths = dict(zip(batch["video"], batch["mask"].sum(dim=1).tolist()))
    assert lengths == {"t0v0": 12.0, "t0v1": 15.0, "t0v2": 18.0}
    padded = batch["mask"] == 0
    assert (batch["y"][padded] == PAD_LABEL).all() and (batch["x"][padded] == 0).all()
    assert (batch["y"][~padded] >= 0).all()


def test_shuffling_follows_the_torch_seed():
    tasks = tiny_tasks()
    first = train_recorded([], tasks, epochs=3).epochs
    assert train_recorded([], tasks, epochs=3).epochs == first
    assert [sorted(epoch) for epoch in first] == [["t0v0", "t0v1", "t0v2"]] * 3 + [["t1v0", "t1v1", "t1v2"]] * 3


def test_bf16_autocast_runs_the_backbone_in_bfloat16_and_the_loss_in_float32():
    """CPU autocast exercises the bf16 code path (runs refuse bf16 on the CPU, tasks/precision.py)."""
    class OutputRecorder(LoaderRecorder):
        def after_forward(self, strategy, **kwargs) -> None:
            self.output_dtype = strategy.mb_output.dtype

    losses, seen = {}, {}
    for precision in ("fp32", "bf16"):
        torch.manual_seed(0)
        recorder = OutputRecorder()
        strategy = template([recorder], epochs=2, batch=3, precision=precision)
        strategy.model.stages[0].conv_in.register_forward_hook(
            lambda module, inputs, output, precision=precision: seen.update({precision: output.dtype}))
        strategy.train(make_benchmark(tiny_tasks()[:1]).train_stream[0])
        assert recorder.output_dtype == torch.float32
        losses[precision] = recorder.losses
    assert seen == {"fp32": torch.float32, "bf16": torch.bfloat16}
    # same start, bfloat16 rounding: close, not equal
    assert losses["bf16"][0] == pytest.approx(losses["fp32"][0], rel=0.05)
    assert losses["bf16"] != losses["fp32"]
