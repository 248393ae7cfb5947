import copy

import pytest

from benchmarks.cli import main
from benchmarks.config import DEFAULTS, StrategyEntry, dump_config, load_config, resolve_config, strategy_entries
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
                              "train, strategies, budgets, output)"),
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
                  "'protocol.seeds' must be a non-empty list of integers, got [42, 'x']"),
    "section not a mapping": ("train: 3\n", "'train' must be a mapping"),
    "empty strategies": ("strategies: []\n", "'strategies' must be a non-empty list"),
    "budgets not a list": ("budgets: {videos: 60}\n", "'budgets' must be a non-empty list"),
    "strategy entry with unknown key": ("strategies: [{name: mean, param: {}}]\n",
                                        "unknown key 'strategies[0].param' (allowed: name, label, params)"),
    "strategy entry without name": ("strategies: [finetune, {label: x}]\n",
                                    "'strategies[1]' must be a name or a mapping with 'name'"),
    "strategy params not a mapping": ("strategies: [{name: mean, params: [1]}]\n",
                                      "'strategies[0].params' must be a mapping"),
    "duplicate label": ("strategies: [mean, finetune, mean]\n",
                        "strategy label 'mean' appears twice; give one a distinct 'label'"),
    "duplicate explicit label": ("strategies: [finetune, {name: mean, label: finetune}]\n",
                                 "strategy label 'finetune' appears twice; give one a distinct 'label'"),
    "save_memories not a boolean": ("output: {save_memories: 1}\n", "'output.save_memories' must be true or false"),
    "background not a list": ("data: {background: SIL}\n", "'data.background' must be a list of label names"),
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



def test_an_outside_backbone_name_is_looked_up_instead_of_refused(tmp_path, monkeypatch):
    (tmp_path / "itas_config_backbone.py").write_text(
        "from strategies.backbones import BACKBONES\n\ndef make(in_dim, num_classes, backbone):\n"
        "    return BACKBONES['mstcn'](in_dim, num_classes, backbone)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = resolve_config({"backbone": {"name": "itas_config_backbone:make"}})
    assert cfg["backbone"]["name"] == "itas_config_backbone:make"
    with pytest.raises(DataError, match=r"^x.yaml: 'backbone.name': backbone: unknown backbone 'tcn' \(known: asformer, mstcn"):
        resolve_config({"backbone": {"name": "tcn"}}, source="x.yaml")
    with pytest.raises(DataError, match=r"^x.yaml: 'backbone.name' is 3; expected one of mstcn, asformer$"):
        resolve_config({"backbone": {"name": 3}}, source="x.yaml")
