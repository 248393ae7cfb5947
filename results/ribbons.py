"""Pictures of what a model segments: ribbon plots (ground truth and the prediction after each task,
per video — forgetting as a picture) from the `ribbons` of run records."""
from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError, model_validator

from results.plots import file_stem, save_figure
from tasks.errors import DataError

ROW_HEIGHT = 0.28  # inches per ribbon


def class_colours(names: list[str]) -> dict[str, tuple]:
    """One fixed colour per class name, the same in every ribbon figure of a report (60 distinct
    colours from tab20, tab20b and tab20c, cycled beyond that)."""
    palette = [c for cmap in ("tab20", "tab20b", "tab20c") for c in matplotlib.colormaps[cmap].colors]
    return {name: palette[i % len(palette)] for i, name in enumerate(sorted(names))}


def legend_columns(entries: int, height: float) -> int:
    """Columns that keep a legend of `entries` x-small lines within a figure `height` inches tall."""
    per_column = max(6, int(height * 5.5))
    return max(1, -(-entries // per_column))


def ribbon_classes(ribbons: dict) -> set[str]:
    rows = ribbons["truth"] + [video for after in ribbons["after_task"] for video in after]
    return {label for row in rows for label, _ in row}


def plot_ribbons(ribbons: dict, title: str, colours: dict[str, tuple]) -> Figure:
    """Per video: its ground truth, then the head's prediction after each task (top to bottom)."""
    rows: list[tuple[str, list]] = []
    for v, video in enumerate(ribbons["videos"]):
        rows.append((f"{video}: ground truth", ribbons["truth"][v]))
        rows += [(f"after task {i}", after[v]) for i, after in enumerate(ribbons["after_task"])]
    height = 1.4 + ROW_HEIGHT * len(rows)
    columns = legend_columns(len(ribbon_classes(ribbons)), height)
    fig = Figure(figsize=(9 + 2.2 * columns, height), layout="constrained")
    ax = fig.add_subplot()
    for y, (_, segments) in enumerate(rows):
        start = 0
        for label, length in segments:
            ax.broken_barh([(start, length)], (y - 0.4, 0.8), facecolors=colours[label])
            start += length
    ax.set_yticks(range(len(rows)), [name for name, _ in rows], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("frame")
    ax.set_title(title)
    shown = sorted(ribbon_classes(ribbons))
    fig.legend(handles=[Patch(color=colours[name], label=name) for name in shown], loc="outside right upper",
               fontsize="x-small", title="class", ncols=columns)
    return fig


Segments = list[tuple[str, NonNegativeInt]]  # [[class name, frames], ...]


class Ribbons(BaseModel):
    videos: list[str]
    truth: list[Segments] = []
    after_task: list[list[Segments]] = []

    @model_validator(mode="after")
    def one_row_per_video(self) -> "Ribbons":
        rows = [len(self.truth), *(len(after) for after in self.after_task)]
        if any(count != len(self.videos) for count in rows):
            raise ValueError(f"{len(self.videos)} videos but rows of {sorted(set(rows))} videos")
        return self


class RunRecord(BaseModel):
    """What a report reads of runs/<run>.json (the rest of the record is not used here)."""

    model_config = ConfigDict(extra="ignore", strict=True)
    strategy: str
    budget: str
    seed: int
    ribbons: Ribbons | None = None


def read_run_record(path: Path) -> dict:
    """A run record checked for what a report uses: one line naming the file and the key otherwise."""
    try:
        return RunRecord.model_validate_json(Path(path).read_bytes()).model_dump()
    except OSError as err:
        raise DataError(f"{path}: not a readable run record ({err.strerror})") from None
    except ValidationError as err:
        first = err.errors()[0]
        if first["type"] == "json_invalid":
            raise DataError(f"{path}: not a readable run record (not JSON: {first['msg']})") from None
        where = ".".join(str(part) for part in first["loc"]) or "the record"
        raise DataError(f"{path}: not a valid run record ({where}: {first['msg']})") from None


def run_records_with_ribbons(run_dirs: list[Path]) -> dict[str, dict]:
    """Per strategy label, the run record whose ribbons are drawn: the first seed and budget found
    (records are runs/<strategy>__<budget>__seed<k>.json in each run folder). Every record is read
    and checked here, before a report writes anything."""
    chosen: dict[str, dict] = {}
    for run_dir in run_dirs:
        for path in sorted(Path(run_dir).glob("runs/*.json")):
            record = read_run_record(path)
            ribbons = record["ribbons"]
            if not ribbons or not ribbons["videos"]:
                continue
            current = chosen.get(record["strategy"])
            if current is None or (record["seed"], record["budget"]) < (current["seed"], current["budget"]):
                chosen[record["strategy"]] = record
    return chosen


def write_ribbons(records: dict[str, dict], out_dir: Path) -> list[Path]:
    """ribbons_<strategy>.png for every strategy of `records` (run_records_with_ribbons)."""
    colours = class_colours(sorted(set().union(*(ribbon_classes(r["ribbons"]) for r in records.values()))))
    return [
        save_figure(plot_ribbons(record["ribbons"], f"{label} (budget {record['budget']}, seed {record['seed']}): "
                                 "first-task test videos after each task", colours),
                    Path(out_dir) / f"ribbons_{file_stem(label)}.png")
        for label, record in sorted(records.items())
    ]
