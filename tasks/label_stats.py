"""Label-side statistics of a set of videos: segment lengths per action (log-normal fits and
quantiles), segments per video, transcript diversity per activity, background share.

Shared by `itas profile` (which reports them) and the procedural twin (which samples from them).
Labels are mapping ids; names come from the dataset's mapping.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from tasks.video import Video, segments

BACKGROUND_NAMES = ("sil", "background", "bg")  # labels taken as background when none are named


def default_background(actions: list[str]) -> list[str]:
    """Labels whose name says background (Breakfast's SIL); [] when the mapping has none."""
    return [name for name in actions if name.lower() in BACKGROUND_NAMES]


def quantiles(values: np.ndarray) -> dict[str, float]:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return {"count": 0}
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return {"count": int(values.size), "median": float(median), "p10": float(p10), "p90": float(p90),
            "mean": float(values.mean()), "min": float(values.min()), "max": float(values.max())}


def log_normal(lengths: np.ndarray) -> dict[str, float]:
    """Maximum-likelihood log-normal: mean and std of log length (std 0 for a single segment)."""
    logs = np.log(np.asarray(lengths, dtype=np.float64))
    return {"log_mean": float(logs.mean()), "log_std": float(logs.std())}


def segment_table(videos: list[Video]) -> list[tuple[Video, np.ndarray, np.ndarray]]:
    """Per video its (segment labels, segment lengths)."""
    table = []
    for video in videos:
        labels, starts, ends = segments(video.labels)
        table.append((video, labels, ends - starts))
    return table


def length_histogram(lengths: list[int], edges: np.ndarray) -> list[int]:
    return np.histogram(np.asarray(lengths, dtype=np.float64), bins=edges)[0].tolist()


def label_statistics(videos: list[Video], actions: list[str], background: list[str]) -> dict:
    """Segment lengths per action (quantiles and log-normal fit), pooled foreground / background
    lengths, segments per video, distinct transcripts per activity, background share of frames."""
    table = segment_table(videos)
    bg_ids = {actions.index(name) for name in background}
    by_action: dict[int, list[int]] = defaultdict(list)
    transcripts: dict[str, list[tuple[int, ...]]] = defaultdict(list)
    for video, labels, lengths in table:
        for label, length in zip(labels.tolist(), lengths.tolist()):
            by_action[label].append(length)
        transcripts[video.activity].append(tuple(labels.tolist()))
    per_action = {actions[a]: {**quantiles(np.array(v)), **log_normal(np.array(v))}
                  for a, v in sorted(by_action.items())}
    fg = [n for a, v in by_action.items() if a not in bg_ids for n in v]
    bg = [n for a, v in by_action.items() if a in bg_ids for n in v]
    longest = max(max(v) for v in by_action.values())
    edges = np.unique(np.round(np.geomspace(1, longest + 1, 25)))  # log-spaced: lengths span decades
    frames = sum(len(video.labels) for video in videos)
    bg_frames = sum(int(np.isin(video.labels, list(bg_ids)).sum()) for video in videos)
    return {
        "background": list(background),
        "background_share": bg_frames / frames if frames else 0.0,
        "segments_per_video": quantiles(np.array([len(labels) for _, labels, _ in table])),
        "segment_lengths": {"foreground": quantiles(np.array(fg)), "background": quantiles(np.array(bg))},
        "segment_lengths_per_action": per_action,
        "segment_length_histogram": {"edges": edges.tolist(), "foreground": length_histogram(fg, edges),
                                     "background": length_histogram(bg, edges)},
        "transcripts": {activity: {"videos": len(seen), "distinct": len(set(seen)),
                                   "diversity": len(set(seen)) / len(seen)}
                        for activity, seen in sorted(transcripts.items())},
    }
