import pytest
import torch

from replay.codes import code_nbytes, quantize
from tasks.errors import DataError


def _codes() -> torch.Tensor:
    return torch.randn(10, 16, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("dtype, expected", [("float32", 10 * 16 * 4), ("float16", 10 * 16 * 2), ("int8", 10 * 16 + 10 * 4)])
def test_nbytes_exact_and_predicted(dtype, expected):
    stored = quantize(_codes(), dtype)
    assert stored.nbytes == expected
    assert code_nbytes(10, 16, dtype) == expected


def test_float32_roundtrip_exact():
    z = _codes()
    assert torch.equal(quantize(z, "float32").dequantize(torch.device("cpu")), z)


def test_float16_and_int8_errors_small():
    z = _codes()
    half = quantize(z, "float16").dequantize(torch.device("cpu"))
    assert (half - z).abs().max().item() <= 2e-3 * z.abs().max().item()
    stored = quantize(z, "int8")
    back = stored.dequantize(torch.device("cpu"))
    # symmetric rounding: at most half a step (max|z_row| / 127 / 2) per element
    half_step = (z.abs().amax(1) / 127 / 2).unsqueeze(1)
    assert ((back - z).abs() <= half_step + 1e-6).all()
    assert back.dtype == torch.float32


def test_int8_zero_code_and_select():
    z = torch.zeros(3, 4)
    z[1] = torch.tensor([1.0, -2.0, 0.5, 0.0])
    stored = quantize(z, "int8")
    assert stored.values[1].tolist() == [64, -127, 32, 0]  # round(1/(2/127)) = round(63.5) = 64
    back = stored.dequantize(torch.device("cpu"))
    assert torch.equal(back[0], torch.zeros(4))
    sub = stored.select([1])
    assert len(sub) == 1 and sub.nbytes == 4 + 4
    assert torch.equal(sub.dequantize(torch.device("cpu")), back[1:2])


def test_unknown_dtype_is_a_data_error():
    with pytest.raises(DataError, match="code_dtype"):
        quantize(_codes(), "int4")
