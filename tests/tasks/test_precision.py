import pytest
import torch

from tasks.errors import DataError
from tasks.precision import autocast, check_precision, exact_matmuls, use_precision

CPU = torch.device("cpu")


def test_unknown_precision_is_a_one_line_error_naming_the_key():
    with pytest.raises(DataError, match=r"^train.precision: expected one of fp32, tf32, bf16, got 'fp16'$"):
        check_precision("fp16", CPU)


def test_bf16_is_refused_on_the_cpu():
    with pytest.raises(DataError, match=r"^train.precision: bf16 needs a CUDA device with bfloat16 support"):
        use_precision("bf16", CPU)


def test_fp32_and_tf32_change_nothing_on_the_cpu():
    before = (torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision,
              torch.backends.fp32_precision)
    for precision in ("fp32", "tf32"):
        use_precision(precision, CPU)
        with autocast(precision, CPU):
            assert not torch.is_autocast_enabled("cpu")
    assert (torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision,
            torch.backends.fp32_precision) == before


def test_bf16_autocast_and_exact_matmuls_restore_the_switches():
    with autocast("bf16", CPU):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    before = torch.backends.cuda.matmul.fp32_precision
    with exact_matmuls():
        assert torch.backends.cuda.matmul.fp32_precision == "ieee"
    assert torch.backends.cuda.matmul.fp32_precision == before


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_tf32_switches_on_cuda():
    cuda = torch.device("cuda")
    try:
        use_precision("tf32", cuda)
        assert torch.backends.cuda.matmul.fp32_precision == torch.backends.cudnn.conv.fp32_precision == "tf32"
        with exact_matmuls():
            assert torch.backends.cuda.matmul.fp32_precision == "ieee"
        use_precision("fp32", cuda)
        assert torch.backends.cuda.matmul.fp32_precision == torch.backends.cudnn.conv.fp32_precision == "ieee"
    finally:
        use_precision("fp32", cuda)
