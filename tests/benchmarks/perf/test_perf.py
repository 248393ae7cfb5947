"""`python -m benchmarks.perf` at small sizes: it runs, reports and writes every promised key."""
import json

import pytest
import torch

from benchmarks.perf.__main__ import main
from benchmarks.perf.measure import QUICK, Rate, inversion_rate

KEYS = {"device", "matmul_gflops", "decode_frames_per_s", "decode_pct_of_matmul", "inversion_speedup",
        "inversion_pct_of_matmul", "tca_train_frames_per_s", "tca_train_pct_of_matmul", "mstcn_train_frames_per_s"}


def test_quick_run_writes_every_key(tmp_path, capsys):
    out = tmp_path / "perf.json"
    assert main(["--device", "cpu", "--quick", "--threads", "1", "--segments", "12", "--repeats", "1",
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert KEYS <= set(result)
    assert result["device"] == "cpu" and result["sizes"]["segments"] == 12
    assert all(result[key] > 0 for key in KEYS - {"device"})
    assert result["inversion_speedup"] == pytest.approx(
        result["inversion_frame_steps_per_s"] / result["inversion_direct_frame_steps_per_s"])
    printed = capsys.readouterr().out
    assert "GFLOP/s; decode" in printed and f"wrote {out}" in printed


def test_flop_shares_follow_the_counts():
    assert Rate(1e6, 2e3).gflops() == pytest.approx(2.0)
    assert Rate(1e6, 2e3).pct_of(8.0) == pytest.approx(25.0)
    assert Rate(5.0).pct_of(8.0) is None
    # a Gram step costs 2h² per frame plus the per-code part; the direct one 4hD plus the first layer
    gram, direct = (inversion_rate(torch.device("cpu"), QUICK, form).flops_per_item for form in ("gram", "direct"))
    h, d, D, C = QUICK.hidden, QUICK.latent, QUICK.dim, QUICK.classes
    assert 2 * h * h < gram < 2 * h * h + 4 * d * h
    assert direct == 2 * (2 * h * (d + C + 1) + 2 * h * D)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_device_is_one_line_and_exit_2(capsys):
    assert main(["--device", "cuda", "--quick"]) == 2
    assert capsys.readouterr().err == "error: --device cuda: no CUDA device is available\n"
