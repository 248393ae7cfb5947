"""The SLURM the slurm-marked tests talk to: whatever `sinfo` answers here (`bash
benchmarks/cluster/local_slurm.sh test` starts a one-node one and sets SLURM_CONF); none → skipped."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

LOCAL_CONF = Path(os.environ.get("ITAS_SLURM_DIR", "/tmp/itas-slurm")) / "etc" / "slurm.conf"


@pytest.fixture(scope="session")
def slurm():
    """Skips unless a SLURM with an idle or mixed node answers; returns its CPUs per node."""
    if "SLURM_CONF" not in os.environ and not Path("/etc/slurm/slurm.conf").exists() and LOCAL_CONF.exists():
        os.environ["SLURM_CONF"] = str(LOCAL_CONF)
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        pytest.skip("no SLURM here (start one: bash benchmarks/cluster/local_slurm.sh start)")
    done = subprocess.run(["sinfo", "--noheader", "--Node", "--format=%t|%c"], capture_output=True, text=True, timeout=30)
    nodes = [line.split("|") for line in done.stdout.split()]
    usable = [int(cpus) for state, cpus in nodes if state.rstrip("*") in ("idle", "mix")]
    if done.returncode or not usable:
        pytest.skip(f"SLURM answers, but no node is idle ({done.stdout.strip() or done.stderr.strip()})")
    return max(usable)

