"""Runs an experiment config: every seed × strategy × budget, one Avalanche strategy per run.

Each finished run is recorded atomically in DIR/runs/<key>.json, and an unfinished one keeps its
state after every task in DIR/checkpoints/<key>.ckpt, so an interrupted sweep resumes at the last
finished task of each run; records and checkpoints carry the run's config fingerprint, so a resume
with another config is refused (or, forced, starts those runs afresh). The tables (metrics.csv,
memory.csv, matrices.json, summaries, plots) are rebuilt from the records at the end. Runs execute
in this process, or as submitit jobs (SLURM, or local processes) that each write their record.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from benchmarks.orchestration.checkpoints import RunCheckpoint, checkpoint_path, load_checkpoint, read_header
from benchmarks.config import StrategyEntry, strategy_entries
from benchmarks.orchestration.jobs import RunJob
from benchmarks.orchestration.fingerprints import fingerprint, mismatch_error, run_config
from benchmarks.orchestration.data import experiment_scenario, load_experiment_data
from benchmarks.orchestration.ledger import job_log, last_error_line, record_failed, record_started
from benchmarks.orchestration.live_progress import progress_path, remove_empty, wait_for_jobs
from benchmarks.orchestration.training import (RunOutputs, RunSpec, build_backbone, parameter_count, run_key,
                                               train_run)
from replay.budget import Budget
from replay.memory import MemoryContext
from tasks.atomic_files import write_text_atomically
from strategies.registry import StrategyContext, build_strategy, uses_memory
from tasks.errors import DataError
from tasks.scenario import Scenario

NO_BUDGET = "none"


@dataclass(frozen=True)
class PlannedRun:
    seed: int
    strategy: StrategyEntry
    budget: Budget | None

    @property
    def budget_label(self) -> str:
        return self.budget.label if self.budget is not None else NO_BUDGET

    @property
    def key(self) -> str:
        return run_key(self.strategy.label, self.budget_label, self.seed)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise DataError(f"--device: expected auto, cpu or cuda[:N], got {name!r}")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise DataError(f"--device {name}: no CUDA device is available (use --device cpu or auto)")
    return torch.device(name)


def plan_runs(cfg: dict) -> list[PlannedRun]:
    budgets = [Budget.parse(spec) for spec in cfg["budgets"]]
    runs = []
    for seed in cfg["protocol"]["seeds"]:
        for entry in strategy_entries(cfg):
            if uses_memory(entry.name):
                runs += [PlannedRun(seed, entry, b) for b in budgets]
            else:
                runs.append(PlannedRun(seed, entry, None))
    return runs


def record_path(out_dir: Path, run: PlannedRun) -> Path:
    return out_dir / "runs" / f"{run.key}.json"


def memory_path(out_dir: Path, run: PlannedRun) -> Path:
    return out_dir / "memories" / f"{run.key}.pt"


def tca_cache(out_dir: Path) -> Path:
    """Where the experiment's runs share trained TCAs (replay.tca_cache), one file per fingerprint."""
    return out_dir / "tca"


def execute_run(cfg: dict, out_dir: Path, run: PlannedRun, device: torch.device | str,
                progress: bool, scenario: Scenario | None = None, report_progress: bool = False) -> dict:
    """Train and evaluate one run and record it atomically; a recorded run is read back instead.

    `device` may be a name, resolved where the run executes (a SLURM node, not the login node);
    without `scenario` (a job in another process) the run loads the data and splits it itself.
    `report_progress`: write progress/<run>.json after every epoch for the parent's live view.
    """
    device = resolve_device(device) if isinstance(device, str) else device
    path = record_path(out_dir, run)
    parts = run_config(cfg, run.strategy, run.budget, run.seed)
    if path.is_file():
        record = json.loads(path.read_text())
        if record.get("fingerprint") != fingerprint(parts):
            raise mismatch_error(path, record.get("config"), parts)
        if not cfg["output"]["keep_checkpoints"]:  # a kill between record and clean-up left it
            checkpoint_path(out_dir, run.key).unlink(missing_ok=True)
        # A status line, not a progress bar: --no-progress must not hide that a run was reused.
        print(f"[itas] {run.key}: already recorded, skipped")
        return record
    if scenario is None:
        dataset = load_experiment_data(cfg["data"])
        scenario = experiment_scenario(cfg, dataset, run.seed)
    spec = RunSpec(run.strategy, run.budget, run.budget_label, run.seed, cfg, tuple(cfg["data"]["background"]))
    start, cpu_start = time.perf_counter(), time.process_time()
    memory_file = memory_path(out_dir, run) if cfg["output"]["save_memories"] else None
    outputs = RunOutputs(loggers=out_dir / "loggers" / run.key, predictions=out_dir / "predictions",
                         progress=progress_path(out_dir, run.key) if report_progress else None)
    checkpoint = RunCheckpoint(checkpoint_path(out_dir, run.key), fingerprint(parts), parts)
    record = train_run(spec, scenario, device, progress, memory_file, tca_cache(out_dir), outputs, checkpoint)
    record.update(seconds=round(time.perf_counter() - start, 2), fingerprint=fingerprint(parts), config=parts)
    # CPU time of this process (all its threads): the run's cost when others share the machine
    record["cpu_seconds"] = round(time.process_time() - cpu_start, 2)
    write_text_atomically(path, json.dumps(record, indent=1) + "\n")
    if not cfg["output"]["keep_checkpoints"]:
        checkpoint.path.unlink(missing_ok=True)
    if report_progress:
        outputs.progress.unlink(missing_ok=True)
    return record


def check_resumable(exp: Experiment, out_dir: Path, force_new: bool = False) -> list[str]:
    """Before anything runs in an existing folder: every run record or checkpoint there must come
    from the same config parts (DataError naming the keys that differ), or with `force_new` it is
    deleted so that run starts afresh. Returns the keys of the runs started afresh."""
    fresh = []
    for run in exp.runs:
        parts = run_config(exp.cfg, run.strategy, run.budget, run.seed)
        path, checkpoint = record_path(out_dir, run), checkpoint_path(out_dir, run.key)
        found = []
        if path.is_file():
            try:
                record = json.loads(path.read_text())
            except ValueError:
                raise DataError(f"{path}: damaged run record (delete it to rerun this run)") from None
            found.append((path, record.get("fingerprint"), record.get("config")))
        if checkpoint.is_file():
            header, _ = read_header(checkpoint)
            found.append((checkpoint, header.get("fingerprint"), header.get("config")))
        stale = [(where, config) for where, recorded, config in found if recorded != fingerprint(parts)]
        if stale and not force_new:
            raise mismatch_error(*stale[0], parts)
        if not stale and checkpoint.is_file():  # read once here, so a refused one stops the run before it writes
            load_checkpoint(checkpoint, fingerprint(parts), torch.device("cpu"), parts["backbone"])
        if stale:
            for where in (path, checkpoint, memory_path(out_dir, run)):
                where.unlink(missing_ok=True)
            fresh.append(run.key)
    return fresh


@dataclass
class Experiment:
    """A validated config: its planned runs and one scenario per seed."""

    cfg: dict
    runs: list[PlannedRun]
    scenarios: dict[int, Scenario]

    def tasks_json(self) -> dict:
        return {"seeds": {str(seed): sc.summary() for seed, sc in self.scenarios.items()}}


def prepare_experiment(cfg: dict, source: str = "config") -> Experiment:
    """Load the data, split it per seed and check every budget, before anything is trained or written."""
    runs = plan_runs(cfg)
    dataset = load_experiment_data(cfg["data"])
    scenarios = {seed: experiment_scenario(cfg, dataset, seed, source) for seed in cfg["protocol"]["seeds"]}
    costs_only = torch.device("cpu")  # feasibility is computed from byte costs, nothing runs
    for run in runs:
        # Every run's strategy is built here, so an unknown name or parameter fails before training too.
        scenario = scenarios[run.seed]
        train_videos = [t.train for t in scenario.tasks]
        parameters = parameter_count(build_backbone(cfg, train_videos[0][0].dim, scenario.num_classes))
        ctx = StrategyContext(run.budget, run.seed, costs_only, scenario.num_classes, train_videos,
                              parameter_count=parameters)
        memory = build_strategy(run.strategy.name, ctx, run.strategy.params).memory
        if memory is not None:
            memory.check_feasible(train_videos, MemoryContext(costs_only, scenario.num_classes, run.seed))
    return Experiment(cfg, runs, scenarios)


def job_failure(job) -> str | None:
    """None for a job that finished, else the last error line of what ended it (submitit hands over
    the job's traceback, or for a killed job its error log, where SLURM writes why it killed it)."""
    try:
        job.result()
        return None
    except Exception as err:  # whatever the job raised, or submitit's word that it produced nothing
        log = job_log(job)
        if log is not None and not Path(log).is_file():
            state = job.state
            return "ended before it started" + (f" (SLURM state {state})" if state != "ENDED" else "")
        return last_error_line(str(err)) or type(err).__name__


def run_experiment(exp: Experiment, out_dir: Path, device: torch.device | str, progress: bool = True,
                   executor=None) -> list[dict]:
    """Every planned run, in this process or through a submitit `executor`; returns the records.
    Every run started is noted in DIR/jobs/runs.json (benchmarks.orchestration.ledger); with an
    executor, failed jobs are said one line each as they end, and the sweep then fails naming them."""
    cfg, runs = exp.cfg, exp.runs
    write_text_atomically(out_dir / "tasks.json", json.dumps(exp.tasks_json(), indent=1) + "\n")
    pending = [run for run in runs if not record_path(out_dir, run).is_file()]
    if executor is None:
        record_started(out_dir, {run.key: {"executor": "inline"} for run in pending})
        records = []
        for run in runs:
            try:
                records.append(execute_run(cfg, out_dir, run, device, progress, exp.scenarios[run.seed], True))
            except Exception as err:
                record_failed(out_dir, run.key, last_error_line(str(err)) or type(err).__name__)
                raise
        remove_empty(out_dir / "progress")
        return records
    failed: dict[str, str] = {}

    def on_done(key: str, job) -> None:
        error = job_failure(job)
        if error is None:
            tqdm.write(f"[itas] {key}: done in {job.result()['seconds']:.0f} s")
            return
        failed[key] = error
        record_failed(out_dir, key, error)
        log = job_log(job)
        tqdm.write(f"[itas] {key} (job {job.job_id}) failed: {error}" + (f"; job log: {log}" if log and Path(log).is_file() else ""))

    try:
        with executor.batch():
            jobs = {run.key: executor.submit(RunJob(), cfg, out_dir, run.key, device, False, True) for run in pending}
        kind = getattr(executor, "kind", "local")
        record_started(out_dir, {key: {"executor": kind, "job": str(job.job_id), "log": job_log(job)}
                                 for key, job in jobs.items()})
        for key, job in jobs.items():
            print(f"[itas] {key}: submitted as job {job.job_id}")
        wait_for_jobs(jobs, out_dir, progress, on_done, poll=getattr(executor, "poll", None))
    finally:
        if hasattr(executor, "shutdown"):  # local process pools; submitit executors hold no processes
            executor.shutdown()
    if failed:
        raise DataError(f"{len(failed)} of {len(jobs)} runs failed ({', '.join(failed)}; their errors and job logs "
                        "are above and in `itas status`); re-running the same command runs only those")
    return [json.loads(record_path(out_dir, run).read_text()) for run in runs]
