"""Bad `noise` / `noise_rank` memory parameters stop `itas run` with one line naming the key, exit 2,
before anything is trained or written."""
import contextlib
import io

import pytest
from tiny_config import tiny_config, write_config

from benchmarks.cli import main

pytestmark = pytest.mark.usefixtures("itas_cache")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"noise": "white"}, "memory noise: expected one of none, residual, got 'white'"),
        ({"noise": "residual", "noise_rank": 0}, "memory noise_rank: expected an integer >= 1 or null, got 0"),
        ({"noise": "residual", "noise_rank": 17}, "memory noise_rank: expected at most the feature dimension 16, got 17"),
    ],
)
def test_bad_noise_parameters_exit_2_with_one_line(tmp_path, params, expected):
    config = write_config(tmp_path / "noise.yaml", tiny_config(strategies=[{"name": "mean", "params": params}]))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["run", str(config), "--out", str(tmp_path / "out"), "--device", "cpu", "--no-progress"])
    assert code == 2
    assert err.getvalue().count("\n") == 1 and expected in err.getvalue() and "Traceback" not in err.getvalue()
    assert not (tmp_path / "out").exists()
