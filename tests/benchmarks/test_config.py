import copy

import pytest
import yaml
from pydantic import ValidationError

from benchmarks.cli import main
from benchmarks.config import (CHOICES, DEFAULTS, LOGGERS, StrategyEntry, bundled_config, dump_config, load_config,
                               resolve_config, strategy_entries)
from benchmarks.config_schema import config_model, schema_message, section_types
from benchmarks.config_yaml import parse_yaml
from replay.budget import Budget
from tasks.errors import DataError


def test_bundled_quick_config_resolves_over_the_defaults():
    cfg = load_config(None)
    assert cfg["protocol"] == {"tasks": 10, "labels": "disjoint", "seeds": [42]}
    assert cfg["backbone"] == {"name": "mstcn", "stages": 2, "layers": 8, "maps": 32, "dropout": 0.5,
                              "channel_dropout": 0.3}
    # keys the YAML leaves out keep their defaults
    assert cfg["train"] == {"epochs": 15, "lr": 0.004, "batch_size": 2, "eval_batch_size": 8, "threads": 1,
                            "precision": "fp32"}
    assert cfg["data"]["root"] is None and cfg["data"]["split"] == 1 and cfg["data"]["background"] == []
    assert cfg["budgets"] == [{"videos": 60}]
    labels = [entry.label for entry in strategy_entries(cfg)]
    assert sorted(labels) == ["condensed", "condensed-residual", "coreset", "encoded", "finetune", "icarl", "joint",
                              "lwf", "mean", "mean-residual", "original", "tca"]


def test_empty_config_is_the_defaults_and_resolving_never_mutates_them():
    before = copy.deepcopy(DEFAULTS)
    cfg = resolve_config({})
    assert cfg == DEFAULTS
    cfg["train"]["epochs"] = 3
    resolve_config({"train": {"epochs": 7}, "strategies": ["mean"]})
    assert DEFAULTS == before


def test_strategy_entries_labels_and_params():
    cfg = resolve_config({"strategies": [
        "finetune",
        {"name": "condensed", "label": "condensed-K1", "params": {"K": 1}},
        {"name": "condensed", "label": "condensed-K2", "params": {"K": 2}},
        {"name": "mean", "params": None},
    ]})
    assert strategy_entries(cfg) == [
        StrategyEntry("finetune", "finetune", {}),
        StrategyEntry("condensed", "condensed-K1", {"K": 1}),
        StrategyEntry("condensed", "condensed-K2", {"K": 2}),
        StrategyEntry("mean", "mean", {}),
    ]


def test_dump_config_reads_back_to_the_same_config(tmp_path):
    cfg = resolve_config({"train": {"epochs": 2}, "budgets": [{"bytes": "4MB"}, {"videos": 30}]})
    dump_config(cfg, tmp_path / "config.yaml")
    assert load_config(tmp_path / "config.yaml") == cfg


# (config text, the DataError message after "<file>: ")
BAD_CONFIGS = {
    "unknown top-level key": ("trian: {epochs: 2}\n", "unknown key 'trian' (allowed: data, protocol, backbone, "
                              "train, strategies, budgets, output, cluster)"),
    "unknown section key": ("train: {epoch: 2}\n", "unknown key 'train.epoch' (allowed: epochs, lr, batch_size, "
                            "eval_batch_size, threads, precision)"),
    "unknown precision": ("train: {precision: fp16}\n", "'train.precision' is 'fp16'; expected one of fp32, tf32, bf16"),
    "bad choice": ("protocol: {labels: mixed}\n", "'protocol.labels' is 'mixed'; expected one of disjoint, blurry"),
    "unknown preset": ("data: {preset: gtea-like}\n", "'data.preset' is 'gtea-like'; expected one of breakfast-like, noise-dominated"),
    "non-integer epochs": ("train: {epochs: 1.5}\n", "'train.epochs' must be a positive integer, got 1.5"),
    "boolean epochs": ("train: {epochs: true}\n", "'train.epochs' must be a positive integer, got True"),
    "zero tasks": ("protocol: {tasks: 0}\n", "'protocol.tasks' must be a positive integer, got 0"),
    "negative lr": ("train: {lr: -0.1}\n", "'train.lr' must be a positive number, got -0.1"),
    "text seed": ("protocol: {seeds: [42, x]}\n",
                  "'protocol.seeds' must be a non-empty list of integers in 0..4294967295, got [42, 'x']"),
    "section not a mapping": ("train: 3\n", "'train' must be a mapping, got 3"),
    "empty strategies": ("strategies: []\n", "'strategies' must be a non-empty list, got []"),
    "budgets not a list": ("budgets: {videos: 60}\n", "'budgets' must be a non-empty list, got {'videos': 60}"),
    "strategy entry with unknown key": ("strategies: [{name: mean, param: {}}]\n",
                                        "unknown key 'strategies[0].param' (allowed: name, label, params)"),
    "strategy entry without name": ("strategies: [finetune, {label: x}]\n",
                                    "'strategies[1]' must be a name or a mapping with 'name', got {'label': 'x'}"),
    "strategy params not a mapping": ("strategies: [{name: mean, params: [1]}]\n",
                                      "'strategies[0].params' must be a mapping or null, got [1]"),
    "duplicate label": ("strategies: [mean, finetune, mean]\n",
                        "strategy label 'mean' appears twice; give one a distinct 'label'"),
    "duplicate explicit label": ("strategies: [finetune, {name: mean, label: finetune}]\n",
                                 "strategy label 'finetune' appears twice; give one a distinct 'label'"),
    "save_memories not a boolean": ("output: {save_memories: 1}\n", "'output.save_memories' must be true or false, got 1"),
    "background not a list": ("data: {background: SIL}\n", "'data.background' must be a list of label names, got 'SIL'"),
    "top level not a mapping": ("- finetune\n", "expected a mapping of sections at the top level"),
    "invalid YAML": ("train:\n  epochs: [1\n", "not valid YAML (line 3)"),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_config_raises_a_data_error_naming_the_key(tmp_path, case):
    text, message = BAD_CONFIGS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: {message}"


@pytest.mark.parametrize("case", ["unknown section key", "bad choice", "non-integer epochs",
                                  "strategy entry with unknown key", "duplicate label", "invalid YAML"])
def test_bad_config_through_the_cli_is_one_line_and_exit_2(tmp_path, capsys, case):
    text, message = BAD_CONFIGS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--device", "cpu", "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"itas run: error: {path}: {message}\n"
    assert "Traceback" not in captured.out + captured.err
    assert not out.exists()  # nothing is written for a config that does not load


def test_missing_config_file_through_the_cli(tmp_path, capsys):
    path = tmp_path / "nope.yaml"
    assert main(["run", str(path), "--device", "cpu"]) == 2
    assert capsys.readouterr().err == f"itas run: error: {path}: config file not found\n"



@pytest.mark.parametrize("text, value", [
    ("1e-3", 0.001), ("5E+2", 500.0), (".5", 0.5), ("1.", 1.0), ("-.inf", float("-inf")), ("010", 10), ("0x1F", 31),
    ("0o17", 15), ("1_000", 1000), ("+3", 3), ("1:20", "1:20"), ("0b11", "0b11"), ("12e", "12e"), ("yes", True),
    ("off", False), ("~", None), ("2024-01-01", "2024-01-01"), ("'1e-3'", "1e-3"),
])
def test_values_are_read_with_yaml_12_numbers(text, value):
    assert parse_yaml(f"v: {text}") == {"v": value}


def test_lr_1e_3_is_a_float_in_the_file_and_in_set(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("train: {lr: 1e-3}\n")
    assert load_config(path)["train"]["lr"] == 0.001
    assert load_config(path, ["train.lr=2e-3"])["train"]["lr"] == 0.002


@pytest.mark.parametrize("override, message", [
    ("train.lr=.nan", "--set: 'train.lr' must be a positive number, got nan"),
    ("protocol.seeds=[1, 1]", "--set: 'protocol.seeds' lists seed 1 twice (each seed is one run)"),
    ("train.epochs=" + "[" * 40 + "]" * 40, "--set train.epochs: nested deeper than 32 levels (line 1)"),
    ("train.epochs={a: 1, a: 2}", "--set train.epochs: duplicate key 'a' (line 1)"),
])
def test_set_values_are_read_and_checked_like_the_file(tmp_path, override, message):
    path = tmp_path / "c.yaml"
    path.write_text("train: {epochs: 2}\n")
    with pytest.raises(DataError) as err:
        load_config(path, [override])
    assert str(err.value) == message


@pytest.mark.parametrize("name", ["quick", "paper", "paper-procedural", "paper-asformer", "condense", "baselines"])
def test_bundled_configs_resolve_to_their_yaml_over_the_defaults_and_expand_to_every_run(name):
    """No behaviour change from the schema: each bundled config resolves to exactly its YAML (as PyYAML
    reads it; these files hold no number YAML 1.1 and 1.2 read differently) over DEFAULTS, and expands
    into seeds x strategies (x budgets, for strategies that keep a memory) runs."""
    from benchmarks.orchestration.runner import plan_runs
    from strategies.registry import uses_memory

    path = bundled_config(name)
    raw = yaml.safe_load(path.read_text())
    expected = {section: {**value, **raw.get(section, {})} if isinstance(value, dict) else raw.get(section, value)
                for section, value in DEFAULTS.items()}
    cfg = load_config(path)
    assert cfg == expected
    labels = [(e.label, uses_memory(e.name)) for e in strategy_entries(cfg)]
    budgets = [Budget.parse(spec).label for spec in cfg["budgets"]]
    keys = [f"{label}__{budget}__seed{seed}" for seed in cfg["protocol"]["seeds"] for label, memory in labels
            for budget in (budgets if memory else ["none"])]
    assert [run.key for run in plan_runs(cfg)] == keys and len(set(keys)) == len(keys)


def test_every_default_needs_a_type_in_the_schema():
    with pytest.raises(TypeError, match=r"config keys without a type in benchmarks/config_schema.py: train.warmup"):
        config_model({**DEFAULTS, "train": {**DEFAULTS["train"], "warmup": 3}}, section_types(CHOICES, LOGGERS))


def test_the_first_problem_reported_is_an_unknown_key_then_the_first_bad_value():
    with pytest.raises(DataError) as err:
        resolve_config({"train": {"epochs": 0, "lr": "x"}, "backbone": {"layerz": 3}})
    assert str(err.value) == "config: unknown key 'backbone.layerz' (allowed: name, stages, layers, maps, dropout, channel_dropout)"
    with pytest.raises(DataError) as err:
        resolve_config({"train": {"epochs": 0, "lr": "x"}})
    assert str(err.value) == "config: 'train.epochs' must be a positive integer, got 0"


def test_a_name_that_is_not_a_plain_file_name_needs_a_label():
    with pytest.raises(DataError) as err:
        resolve_config({"strategies": ["../mean"]})
    assert str(err.value).startswith("config: 'strategies[0]': the name '../mean' labels its files: name '../mean' "
                                     "is not a plain file name (contains a path separator); give it a 'label'")
    assert strategy_entries(resolve_config({"strategies": [{"name": "../mean", "label": "mean"}]}))[0].label == "mean"


def test_the_cluster_section_has_its_types_ready():
    """`cluster` (the SLURM requests of `itas run --executor slurm`) is checked by the same schema."""
    cluster = {"partition": None, "cpus_per_task": None, "mem_gb": None, "gpus": 0, "account": None, "qos": None,
               "constraint": None, "array_parallelism": None, "signal_delay_s": 90, "extra": {}}
    model = config_model({**DEFAULTS, "cluster": cluster}, section_types(CHOICES, LOGGERS))
    valid = {**DEFAULTS, "cluster": {**cluster, "mem_gb": 7.5, "gpus": 1, "extra": {"exclusive": True, "time": "1:00"}}}
    model.model_validate(valid)
    for key, value, expected in [("mem_gb", -4.0, "a positive number or null"), ("gpus", -1, "an integer >= 0"),
                                 ("qos", 3, "a name or null"), ("extra", {"x": [1]}, "a mapping of sbatch option")]:
        with pytest.raises(ValidationError) as err:
            model.model_validate({**valid, "cluster": {**valid["cluster"], key: value}})
        assert schema_message(err.value, DEFAULTS).startswith(f"'cluster.{key}' must be {expected}")


def test_an_outside_backbone_name_is_looked_up_instead_of_refused(tmp_path, monkeypatch):
    (tmp_path / "itas_config_backbone.py").write_text(
        "from strategies.backbones import BACKBONES\n\ndef make(in_dim, num_classes, backbone):\n"
        "    return BACKBONES['mstcn'](in_dim, num_classes, backbone)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = resolve_config({"backbone": {"name": "itas_config_backbone:make"}})
    assert cfg["backbone"]["name"] == "itas_config_backbone:make"
    with pytest.raises(DataError, match=r"^x.yaml: 'backbone.name': backbone: unknown backbone 'tcn' \(known: asformer, mstcn"):
        resolve_config({"backbone": {"name": "tcn"}}, source="x.yaml")
    with pytest.raises(DataError, match=r"^x.yaml: 'backbone.name' is 3; expected one of mstcn, asformer, or a plugin \(an itas.backbones"):
        resolve_config({"backbone": {"name": 3}}, source="x.yaml")
