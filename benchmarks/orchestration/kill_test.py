"""Kill test: SIGKILL a small sweep at random moments, resume it each time, compare with a sweep
that was never stopped.

    python -m benchmarks.orchestration.kill_test [--kills 5] [--seed 0] [--work DIR]

The sweep: finetune, lwf, mean and condensed (a latent memory) × 2 seeds on the tiny procedural
data, `--jobs 2`. A reference run goes through uninterrupted first and gives each run's task time; then
`itas run` is started and, once it is training (a checkpoint or record written since it started),
killed after a further random delay of up to 3 mean task times (the whole process group: the
parent and its worker processes), and restarted into the same folder, `--kills` times, then left to
finish. Checked: metrics.csv and memory.csv byte-identical to the reference, no duplicate rows, no
temporary file or checkpoint left. Reported per kill and run being trained: the seconds since its
last checkpoint, i.e. the work its resume redoes, in tasks of that run (goal: at most 1).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from results.run_files import read_memory_csv, read_metrics_csv
from tasks.atomic_files import TEMP_PREFIX

SWEEP = {
    "data": {"dim": 16, "videos_per_activity": 6, "length_scale": 0.05},
    "protocol": {"tasks": 5, "labels": "disjoint", "seeds": [1, 2]},
    "backbone": {"stages": 1, "layers": 4, "maps": 8},
    # enough epochs that training, not start-up, fills most of the sweep's time
    "train": {"epochs": 15, "batch_size": 4, "threads": 1},
    "strategies": ["finetune", "lwf", "mean",
                   {"name": "condensed", "params": {"K": 2, "latent": 4, "hidden": 16, "tca_epochs": 40,
                                                    "inversion_steps": 100}}],
    "budgets": [{"videos": 10}],
}
TASKS = SWEEP["protocol"]["tasks"]


def itas_run(config: Path, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "benchmarks.cli", "run", str(config), "--out", str(out),
               "--device", "cpu", "--jobs", "2", "--no-progress"]
    # A session of its own, so one killpg reaches the worker processes too, as a SIGKILL of a job would.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def finish(config: Path, out: Path) -> tuple[float, str]:
    start = time.perf_counter()
    process = itas_run(config, out)
    output, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"itas run failed ({process.returncode}):\n{output}")
    return time.perf_counter() - start, output


def newest_write(out: Path) -> float:
    files = [*out.glob("checkpoints/*.ckpt"), *out.glob("runs/*.json")]
    return max((path.stat().st_mtime for path in files), default=0.0)


def unfinished_checkpoints(out: Path) -> dict[str, tuple[int, float]]:
    """Per checkpointed run without a record: (last finished task, checkpoint mtime)."""
    found = {}
    for path in sorted((out / "checkpoints").glob("*.ckpt")) if (out / "checkpoints").is_dir() else []:
        if not (out / "runs" / f"{path.stem}.json").is_file():
            header = json.loads(path.read_bytes().split(b"\n", 2)[1])
            found[path.stem] = (header["task"], path.stat().st_mtime)
    return found


def kill_test(work: Path, kills: int, seed: int) -> dict:
    config = work / "sweep.yaml"
    config.write_text(yaml.safe_dump(SWEEP, sort_keys=False))
    reference_seconds, _ = finish(config, work / "reference")
    records = [json.loads(p.read_text()) for p in (work / "reference" / "runs").glob("*.json")]
    task_seconds = sum(r["seconds"] for r in records) / (len(records) * TASKS)
    task_time = {r["strategy"] + "__" + r["budget"] + "__seed" + str(r["seed"]): r["seconds"] / TASKS
                 for r in records}
    rng = random.Random(seed)
    out, events, attempts_seconds = work / "killed", [], 0.0
    for _ in range(kills):
        start, started_at = time.perf_counter(), time.time()
        process = itas_run(config, out)
        while newest_write(out) <= started_at and process.poll() is None:
            time.sleep(0.2)  # start-up: data, workers, checkpoints loaded; not yet training
        delay = rng.uniform(0.0, 3.0) * task_seconds
        try:
            process.wait(timeout=delay)
            raise SystemExit("the sweep finished before its kill; give it more work")
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        killed_at = time.time()
        attempts_seconds += time.perf_counter() - start
        # runs that wrote a checkpoint in this attempt were being trained when killed
        training = {key: (task, mtime) for key, (task, mtime) in unfinished_checkpoints(out).items()
                    if mtime > started_at}
        redone = {key: round((killed_at - mtime) / task_time[key], 2) for key, (_, mtime) in training.items()}
        events.append({"killed_after_s": round(time.perf_counter() - start, 1),
                       "recorded_runs": len(list(out.glob("runs/*.json"))),
                       "last_checkpointed_task": {key: task for key, (task, _) in training.items()},
                       "tasks_redone": redone,
                       "temp_files": len(list(out.rglob(f"{TEMP_PREFIX}*")))})
    final_seconds, output = finish(config, out)
    identical = {name: (out / name).read_bytes() == (work / "reference" / name).read_bytes()
                 for name in ("metrics.csv", "memory.csv")}
    metrics, memory = read_metrics_csv(out / "metrics.csv"), read_memory_csv(out / "memory.csv")
    leftovers = [str(p) for p in out.rglob(f"{TEMP_PREFIX}*")] + [str(p) for p in out.glob("checkpoints/*")]
    return {
        "kills": events,
        "identical": identical,
        "duplicate_rows": int(metrics.duplicated().sum() + memory.duplicated().sum()),
        "leftovers": leftovers,
        "resumed_lines": output.count("resumed after task"),
        "reference_seconds": round(reference_seconds, 1),
        "mean_task_seconds": round(task_seconds, 2),
        "killed_sweep_seconds": round(attempts_seconds + final_seconds, 1),
        "max_tasks_redone_per_run": max((t for e in events for t in e["tasks_redone"].values()), default=0.0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seed of the random kill moments")
    parser.add_argument("--work", type=Path, default=None, help="folder for the runs (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="itas-kill-test-"))
    work.mkdir(parents=True, exist_ok=True)
    report = kill_test(work, args.kills, args.seed)
    print(json.dumps(report, indent=1))
    ok = all(report["identical"].values()) and not report["duplicate_rows"] and not report["leftovers"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
