"""Predicted wall time of a config's runs (`itas estimate`): calibrated rates × the config's counts.

Per run and task t (F_t training frames, R_t replayed frames, per strategy as in a run):
- backbone: epochs × (epoch call + (F_t + R_t) × trained frame), plus for lwf / icarl (t ≥ 1) a
  forward of the previous model over the same frames (an evaluated frame);
- evaluation after each task over every task's test videos (and iCaRL's herding pass over F_t);
- latent and generative memories: TCA training tca_epochs × F_t frame-epochs, inversion
  (condensed) inversion_steps × the kept frames, encoding (encoded) and decoding of R_t frames;
- with TCA sharing only the first run of the plan that needs a (seed, task, TCA parameters) pays
  its training, as `replay.tca_cache` does.
The sweep's wall time schedules the runs in plan order on `jobs` workers, each run to the first
free one, as the process pool does. Not counted: loading data (and generating procedural data
the first time), writing tables and plots.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from benchmarks.cost.calibration import Rates, TCAKey
from benchmarks.cost.cost_data import DataProfile
from benchmarks.orchestration.runner import PlannedRun, plan_runs
from replay.latent import CondensedMemory, DecoderMemory, EncodedMemory
from strategies.icarl_memory import ClipMemory
from strategies.registry import StrategyContext, build_strategy

DISTILLING = ("lwf", "icarl")


@dataclass
class RunEstimate:
    key: str
    seconds: float  # with TCA sharing
    seconds_alone: float  # training its own TCAs
    parts: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"key": self.key, "seconds": round(self.seconds, 1),
                "seconds_without_sharing": round(self.seconds_alone, 1),
                "parts": {name: round(value, 1) for name, value in self.parts.items()}}


# Memories that keep real features of whole videos: a byte budget bounds the frames they replay.
FEATURE_MEMORIES = ("original", "coreset", "derpp", "er_ace", "gdumb", "bic")


def tca_key(memory: DecoderMemory) -> TCAKey:
    return memory.latent, memory.hidden, memory.batch_frames


def run_memory(run: PlannedRun, num_classes: int):
    """The run's memory as the run builds it (parameter defaults resolved by the real classes)."""
    ctx = StrategyContext(run.budget, run.seed, torch.device("cpu"), num_classes)
    return build_strategy(run.strategy.name, ctx, run.strategy.params).memory


def kept_videos(memory, rank: int, seen: int, videos: int) -> int:
    """Videos a memory keeps of the rank-th task once `seen` tasks share a videos budget."""
    quota = memory.budget.video_quota(rank, seen)
    cap = videos if getattr(memory, "gamma", None) is None else math.ceil(memory.gamma * videos)
    return min(cap, videos if quota is None else quota)


def replayed_frames(run: PlannedRun, memory, tasks: list[tuple[list[int], int]], t: int, dim: int) -> float:
    """Frames joining task t's training: the union of earlier tasks (joint) or what the memory
    replays; a byte budget is read as features for exemplar memories and as no limit otherwise."""
    past = tasks[:t]
    if run.strategy.name == "joint":
        return float(sum(sum(train) for train, _ in past))
    if memory is None or not past or not hasattr(memory, "replay"):  # EWC, SI, MAS keep arrays, not videos
        return 0.0
    if memory.budget.videos is None:
        frames = sum(sum(train) for train, _ in past)
        limit = memory.budget.bytes / (4 * dim) if run.strategy.name in FEATURE_MEMORIES else frames
        return float(min(frames, limit))
    total = 0.0
    for rank, (train, _) in enumerate(past):
        mean = sum(train) / len(train)
        if isinstance(memory, ClipMemory):
            total += memory.budget.video_quota(rank, t) * memory.clips_per_video * min(memory.clip, mean)
        else:
            total += kept_videos(memory, rank, t, len(train)) * mean
    return total


def estimate_runs(cfg: dict, profile: DataProfile, rates: Rates) -> list[RunEstimate]:
    epochs = cfg["train"]["epochs"]
    trained: set[tuple] = set()
    estimates = []
    for run in plan_runs(cfg):
        tasks = profile.tasks(cfg["protocol"]["tasks"], run.seed)
        test_frames = sum(test for _, test in tasks)
        memory = run_memory(run, profile.num_classes)
        parts = dict.fromkeys(("backbone", "evaluation", "tca", "inversion", "decoding"), 0.0)
        shared_saving = 0.0
        for t, (train, _) in enumerate(tasks):
            frames = sum(train) + replayed_frames(run, memory, tasks, t, profile.dim)
            parts["backbone"] += epochs * (rates.train_call + frames * rates.train_frame)
            if run.strategy.name in DISTILLING and t > 0:
                parts["backbone"] += epochs * frames * rates.eval_frame
            parts["evaluation"] += len(tasks) * rates.eval_call + test_frames * rates.eval_frame
            if run.strategy.name == "icarl":
                parts["evaluation"] += sum(train) * rates.eval_frame
            if not isinstance(memory, DecoderMemory):
                continue
            size = tca_key(memory)
            tca = memory.tca_epochs * sum(train) * rates.tca_frame_epoch[size]
            parts["tca"] += tca
            identity = (run.seed, t, memory.latent, memory.hidden, memory.tca_epochs, memory.tca_lr, memory.beta,
                        memory.batch_frames)
            if identity in trained:
                shared_saving += tca
            trained.add(identity)
            kept = kept_videos(memory, t, t + 1, len(train)) * sum(train) / len(train)
            if isinstance(memory, CondensedMemory):
                parts["inversion"] += memory.inversion_steps * kept * rates.inversion_frame_step[size]
            if isinstance(memory, EncodedMemory):
                parts["decoding"] += kept * rates.decode_frame[size]
            parts["decoding"] += (frames - sum(train)) * rates.decode_frame[size]
        alone = sum(parts.values())
        estimates.append(RunEstimate(run.key, alone - shared_saving, alone, parts))
    return estimates


def sweep_seconds(seconds: list[float], jobs: int) -> float:
    """Wall time of runs taken in order by `jobs` workers, each run to the first free worker."""
    free = [0.0] * max(1, jobs)
    for duration in seconds:
        worker = free.index(min(free))
        free[worker] += duration
    return max(free)


def tca_sizes(cfg: dict, num_classes: int) -> set[TCAKey]:
    """The distinct TCA sizes the config's runs train (each is calibrated once)."""
    memories = (run_memory(run, num_classes) for run in plan_runs(cfg))
    return {tca_key(memory) for memory in memories if isinstance(memory, DecoderMemory)}
