"""Ribbon plots from run records: which record is drawn, fixed class colours, the PNG files."""
import json

import numpy as np
import pytest

from results.ribbons import class_colours, plot_ribbons, run_records_with_ribbons, write_ribbons
from tasks.errors import DataError

RIBBONS = {"videos": ["v1"], "truth": [[["a/SIL", 3], ["a/cut", 5]]],
           "after_task": [[[["a/SIL", 4], ["a/cut", 4]]], [[["b/pour", 8]]]]}


def record(strategy, budget, seed, ribbons=RIBBONS):
    return {"strategy": strategy, "budget": budget, "seed": seed, "metrics": [], "memory": [], "ribbons": ribbons}


def write_records(folder, records):
    (folder / "runs").mkdir(parents=True)
    for r in records:
        (folder / "runs" / f"{r['strategy']}__{r['budget']}__seed{r['seed']}.json").write_text(json.dumps(r))


def test_the_first_seed_and_budget_of_each_strategy_is_drawn(tmp_path):
    write_records(tmp_path, [record("mean", "videos=8", 7), record("mean", "videos=4", 7),
                             record("mean", "videos=4", 3), record("finetune", "none", 1),
                             record("old", "none", 1, ribbons={"videos": []})])
    chosen = run_records_with_ribbons([tmp_path])
    assert sorted(chosen) == ["finetune", "mean"]
    assert (chosen["mean"]["seed"], chosen["mean"]["budget"]) == (3, "videos=4")
    paths = write_ribbons(run_records_with_ribbons([tmp_path]), tmp_path / "out")
    assert [p.name for p in paths] == ["ribbons_finetune.png", "ribbons_mean.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_each_class_keeps_one_colour_and_every_row_is_drawn():
    colours = class_colours(["b/pour", "a/SIL", "a/cut"])
    assert len(set(colours.values())) == 3 and colours == class_colours(["a/cut", "b/pour", "a/SIL"])
    fig = plot_ribbons(RIBBONS, "t", colours)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["v1: ground truth", "after task 0", "after task 1"]
    bars = [c for c in ax.collections]
    assert len(bars) == 2 + 2 + 1  # one bar per segment
    assert np.allclose(bars[-1].get_facecolor()[0][:3], colours["b/pour"])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a/SIL", "a/cut", "b/pour"]


def test_an_unreadable_record_is_one_line(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "x.json").write_text("{")
    with pytest.raises(DataError, match=r"x.json: not a readable run record"):
        run_records_with_ribbons([tmp_path])
