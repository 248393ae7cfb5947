"""The kill test (benchmarks/orchestration/kill_test.py): a sweep SIGKILLed at 5 random moments and resumed each
time ends with the tables of an uninterrupted sweep, without duplicate rows or leftover files."""
import pytest

from benchmarks.orchestration.kill_test import kill_test


@pytest.mark.slow
def test_a_sweep_killed_five_times_ends_identical(tmp_path, itas_cache):
    report = kill_test(tmp_path, kills=5, seed=1)
    assert report["identical"] == {"metrics.csv": True, "memory.csv": True}
    assert report["duplicate_rows"] == 0 and report["leftovers"] == []
    assert len(report["kills"]) == 5 and report["resumed_lines"] >= 1
