"""wait_for_jobs: one bar per running run from its progress file, status lines as runs finish."""
import contextlib
import io
import json
import threading
from concurrent.futures import Future

import pytest

from benchmarks.orchestration.live_progress import epochs_done, position_text, progress_path, wait_for_jobs


def finish_later(future: Future, seconds: float, result) -> None:
    threading.Timer(seconds, future.set_result, args=(result,)).start()


def watch(tmp_path, progress: bool) -> tuple[list[str], str]:
    jobs = {"a__none__seed1": Future(), "b__none__seed1": Future()}
    for key, (task, epoch) in zip(jobs, [(1, 2), (0, 1)]):
        path = progress_path(tmp_path, key)
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"task": task, "tasks": 5, "epoch": epoch, "epochs": 3}))
    finish_later(jobs["b__none__seed1"], 0.3, {"seconds": 1})
    finish_later(jobs["a__none__seed1"], 0.6, {"seconds": 2})
    done = []
    with contextlib.redirect_stderr(io.StringIO()) as err:
        wait_for_jobs(jobs, tmp_path, progress, lambda key, job: done.append((key, job.result()["seconds"])),
                      poll_seconds=0.05)
    return done, err.getvalue()


def test_running_runs_show_task_epoch_and_eta_until_they_finish(tmp_path):
    done, shown = watch(tmp_path, progress=True)
    assert done == [("b__none__seed1", 1), ("a__none__seed1", 2)]  # in the order they finish
    assert "a__none__seed1" in shown and "task 2/5 epoch 2/3" in shown and "task 1/5 epoch 1/3" in shown
    assert "5/15" in shown and "<" in shown  # run a: 5 of 15 epochs, tqdm's elapsed<remaining ETA
    assert "runs: 100%" in shown and "2/2" in shown
    assert not (tmp_path / "progress").exists()  # finished runs' files are removed


def test_without_progress_nothing_but_what_on_done_prints(tmp_path):
    done, shown = watch(tmp_path, progress=False)
    assert [key for key, _ in done] == ["b__none__seed1", "a__none__seed1"] and shown == ""


def test_a_failed_job_stops_the_wait_with_its_error(tmp_path):
    failed = Future()
    failed.set_exception(RuntimeError("boom"))

    def on_done(key, job):
        job.result()

    with pytest.raises(RuntimeError, match="boom"):
        wait_for_jobs({"x": failed}, tmp_path, False, on_done, poll_seconds=0.01)


def test_after_the_epochs_a_bar_shows_the_memorys_phase(tmp_path):
    """A run past its last epoch training a TCA or inverting: the bar says so instead of standing at
    'epoch 15/15'."""
    position = {"task": 2, "tasks": 10, "epoch": 15, "epochs": 15}
    assert position_text(position) == "task 3/10 epoch 15/15"
    assert position_text({**position, "phase": "TCA", "step": 120, "steps": 500}) == "task 3/10 TCA 120/500"
    path = progress_path(tmp_path, "tca__videos=60__seed1")
    path.parent.mkdir()
    path.write_text(json.dumps({**position, "phase": "inversion", "step": 50, "steps": 300}))
    job = Future()
    finish_later(job, 0.3, {"seconds": 1})
    with contextlib.redirect_stderr(io.StringIO()) as err:
        wait_for_jobs({"tca__videos=60__seed1": job}, tmp_path, True, lambda key, job: None, poll_seconds=0.05)
    assert "task 3/10 inversion 50/300" in err.getvalue()


def test_epochs_done_counts_earlier_tasks():
    assert epochs_done({"task": 2, "tasks": 5, "epoch": 1, "epochs": 4}) == 9
