"""benchmarks/perf/device_check.sh in its CPU mode: every step runs and passes, and what it leaves
behind is what the GPU check reads."""
import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("itas_cache")
SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "perf" / "device_check.sh"


@pytest.mark.slow
def test_device_check_runs_on_the_cpu(tmp_path):
    out = tmp_path / "check"
    done = subprocess.run(["bash", str(SCRIPT), "--device", "cpu", "--out", str(out)], cwd=SCRIPT.parents[2],
                          capture_output=True, text=True, timeout=1800)
    log = (out / "log.txt").read_text()
    assert done.returncode == 0, log[-3000:]
    assert "device check: 0 step(s) failed" in done.stdout
    for name in ("cuda tests", "benchmarks.perf", "short run fp32", "estimate short-run"):
        assert f"== {name}: exit 0 in" in log
    assert json.loads((out / "perf.json").read_text())["device"] == "cpu"
    assert (out / "run-fp32" / "metrics.csv").is_file()
    strategies = {path.name.split("__")[0] for path in (out / "run-fp32" / "runs").iterdir()}
    assert len(strategies) == 10
    estimate = json.loads((out / "estimate-short-run.json").read_text())
    assert estimate["total_seconds"] > 0 and len(estimate["runs"]) == 10


def test_bad_arguments_are_one_line_errors(tmp_path):
    done = subprocess.run(["bash", str(SCRIPT), "--gpu"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
