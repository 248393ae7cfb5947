"""Property tests (Hypothesis) over config values and YAML text: whatever a config holds, it either
loads (and writes back to itself) or is refused with one line naming the file, never a traceback;
through `itas run`, a refused config writes nothing and a valid one writes only inside --out.

Example counts are fixed and the examples derandomized, so the suite stays fast and repeatable:
300 configs and 300 YAML fragments through the loader, 20 configs through the command line
(`pytest --hypothesis-show-statistics` shows how many loaded and how many were refused)."""
import contextlib
import io
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tiny_config import tiny_config

import benchmarks.orchestration.runner
from benchmarks.cli import main
from benchmarks.config import CHOICES, DEFAULTS, dump_config, load_config
from tasks.errors import DataError

FAST = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

TEXTS = ["1e-3", "x/y", "x_y", "..", "", "MB", "4MB", "1.5 MiB", "breakfast", "custom", "fp32", "bf16", "mean",
         "MEAN", "finetune", "ewc", "csv", "last", "disjoint", "blurry", "asformer", "null", "yes", "a\nb", "é"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.integers(-3, 300),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 2), st.sampled_from(TEXTS), st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["name", "label", "params", "videos", "bytes", "K", "x"]),
                                        inner, max_size=3), max_leaves=6)
STRATEGY = st.one_of(st.sampled_from(["finetune", "mean", "ewc", "MEAN", "x/y", ""]), VALUES,
                     st.fixed_dictionaries({"name": st.sampled_from(["mean", "ewc", "lwf"])},
                                           optional={"label": VALUES, "params": VALUES}))
BUDGET = st.one_of(VALUES, st.sampled_from([{"videos": 60}, {"bytes": "1MB"}, {"bytes": 1_000_000}]),
                   st.fixed_dictionaries({}, optional={"videos": VALUES, "bytes": VALUES, "count_decoders": VALUES}))


KEYS = [(name, key) for name, value in DEFAULTS.items() if isinstance(value, dict) for key in [*value, "unknown"]]
PLAUSIBLE = st.sampled_from([0, 1, 2, 7, 0.5, 0.99, 1e-3, True, False, None, [], [42, 7], ["SIL"], ["csv"], "x",
                             *{choice for options in CHOICES.values() for choice in options}])


@st.composite
def configs(draw) -> dict:
    """The tiny config with one to three keys (or the strategy or budget list) changed to a plausible
    value (often valid) or a random one, so both outcomes are common."""
    cfg = tiny_config(strategies=["finetune", {"name": "mean", "label": "m"}])
    for _ in range(draw(st.integers(1, 2))):
        target = draw(st.sampled_from([*KEYS, ("strategies", None), ("budgets", None), ("unknown", None)]))
        if target[0] == "strategies":
            cfg["strategies"] = draw(st.one_of(st.lists(STRATEGY, min_size=1, max_size=4), VALUES))
        elif target[0] == "budgets":
            cfg["budgets"] = draw(st.one_of(st.lists(BUDGET, min_size=1, max_size=3), VALUES))
        elif target[1] is None:
            cfg["unknown"] = draw(VALUES)
        else:
            default = st.just(DEFAULTS[target[0]].get(target[1]))
            cfg[target[0]] = {**cfg.get(target[0], {}), target[1]: draw(st.one_of(default, PLAUSIBLE, VALUES))}
    return cfg


TOKENS = ["train:", "data:", "protocol:", "strategies:", "budgets:", " lr:", " epochs:", " seeds:", " dim:", "\n",
          "  ", " ", "1e-3", ".nan", "-.inf", "0x1F", "010", "2" * 30, "&a", "*a", "*b", "[", "]", "{", "}", ",",
          "- ", "<<: *a", "!!binary", "!!python/object:os.system", "!!set", "? ", "'", '"', "|", ">", "#", "~",
          "yes", ": ", "mean", "{videos: 60}", "{bytes: 1MB}", "%YAML 1.2\n---\n", "---\n", "...\n", "\t", "\ufeff"]
FRAGMENTS = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


def loads_or_fails_on_one_line(path: Path) -> None:
    try:
        cfg = load_config(path)
    except DataError as err:
        event("refused")
        assert str(err).startswith(f"{path}: ") and "\n" not in str(err), str(err)
        return
    event("loaded")
    again = path.with_name("again.yaml")
    dump_config(cfg, again)
    assert repr(load_config(again)) == repr(cfg)  # repr: NaN in a strategy's params equals itself


@FAST
@given(configs())
def test_any_config_values_load_or_fail_on_one_line(cfg):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
        loads_or_fails_on_one_line(path)


@FAST
@given(FRAGMENTS)
def test_any_yaml_fragment_loads_or_fails_on_one_line(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(text)
        loads_or_fails_on_one_line(path)


class ReachedTraining(Exception):
    """Raised instead of training: the config passed every check made before training."""


SMALL = {"dim": st.sampled_from([5, 16, 4, 0, 1e8, 2**70, "16"]), "videos_per_activity": st.sampled_from([2, 6, 1, 10**9]),
         "length_scale": st.sampled_from([0.02, 0.05, 0, -1.0, float("nan"), 1e9]), "seed": st.sampled_from([0, -1, 2**70])}


@pytest.mark.usefixtures("itas_cache")
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([k for k, v in DEFAULTS.items() if isinstance(v, dict)]), st.data())
def test_itas_run_on_any_value_refuses_on_one_line_or_writes_only_inside_out(section_name, data):
    """One key of the tiny one-strategy config set to a random value (procedural sizes from small or
    invalid ones, so a valid example stays cheap), through `itas run` up to training."""
    keys = [k for k in DEFAULTS[section_name] if k not in ("root", "activities")]
    key = data.draw(st.sampled_from(keys))
    plausible = st.one_of(st.just(DEFAULTS[section_name][key]), PLAUSIBLE, VALUES)
    value = data.draw(SMALL[key] if section_name == "data" and key in SMALL else plausible)
    cfg = tiny_config(strategies=["finetune"], protocol={"tasks": 5, "seeds": [42]})
    cfg[section_name] = {**cfg.get(section_name, {}), key: value}
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        tmp = Path(tmp)
        (tmp / "c.yaml").write_text(yaml.safe_dump(cfg))
        patch.setattr(benchmarks.orchestration.runner, "run_experiment", raise_reached_training)
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["run", str(tmp / "c.yaml"), "--out", str(tmp / "out"), "--device", "cpu", "--jobs", "1",
                             "--no-progress"])
        except ReachedTraining:
            event("reached training")
            assert [p for p in tmp.iterdir() if p.name not in ("c.yaml", "out")] == []
            return
        event("refused")
        assert code == 2 and err.getvalue().startswith("itas run: error: ") and err.getvalue().count("\n") == 1, err.getvalue()
        assert [p.name for p in tmp.iterdir()] == ["c.yaml"]  # nothing written, no --out folder made


def raise_reached_training(*args, **kwargs):
    raise ReachedTraining
