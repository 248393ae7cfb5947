"""`--set KEY=VALUE` overrides: dotted keys parsed as YAML, merged over the config file, validated
like its keys and recorded in the run's config.yaml."""
import pytest
import yaml
from tiny_config import tiny_config, write_config

from benchmarks.cli import main
from benchmarks.config import load_config
from tasks.errors import DataError


@pytest.fixture
def tiny_yaml(tmp_path):
    return write_config(tmp_path / "tiny.yaml", tiny_config())


def test_overrides_merge_into_sections_and_replace_lists(tiny_yaml):
    cfg = load_config(tiny_yaml, ["train.epochs=5", "protocol.seeds=[42,123]", "data.root=/data/breakfast",
                                  "data.sample_rate=null", "budgets=[{videos: 30}, {bytes: 1MB}]"])
    assert cfg["train"]["epochs"] == 5 and cfg["train"]["batch_size"] == 4  # the file's other keys stay
    assert cfg["protocol"] == {"tasks": 5, "labels": "disjoint", "seeds": [42, 123]}
    assert cfg["data"]["root"] == "/data/breakfast" and cfg["data"]["dim"] == 16
    assert cfg["data"]["sample_rate"] is None
    assert cfg["budgets"] == [{"videos": 30}, {"bytes": "1MB"}]
    assert load_config(tiny_yaml, []) == load_config(tiny_yaml)


@pytest.mark.parametrize("override, message", [
    ("train.epoch=5", "--set: unknown key 'train.epoch' (allowed: epochs, lr,"),
    ("model.stages=2", "--set: unknown key 'model'"),
    ("train.epochs=0", "--set: 'train.epochs' must be a positive integer, got 0"),
    ("protocol.labels=overlap", "--set: 'protocol.labels' is 'overlap'; expected one of disjoint, blurry"),
    ("train.epochs", "--set: expected KEY=VALUE with a dotted key (e.g. train.epochs=5), got 'train.epochs'"),
    ("=5", "--set: expected KEY=VALUE"),
])
def test_a_bad_override_is_the_config_error_against_set(tiny_yaml, override, message):
    with pytest.raises(DataError) as err:
        load_config(tiny_yaml, [override])
    assert str(err.value).startswith(message)


def test_run_records_the_overrides_in_config_yaml(tmp_path, itas_cache, capsys):
    out = tmp_path / "out"
    code = main(["run", str(write_config(tmp_path / "tiny.yaml", tiny_config())), "--out", str(out),
                 "--device", "cpu", "--no-progress", "--jobs", "1",
                 "--set", "strategies=[finetune]", "protocol.tasks=2", "train.lr=0.002"])
    assert code == 0, capsys.readouterr().err
    recorded = yaml.safe_load((out / "config.yaml").read_text())
    assert recorded["strategies"] == ["finetune"] and recorded["protocol"]["tasks"] == 2
    assert recorded["train"]["lr"] == 0.002
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["finetune__none__seed42.json"]


@pytest.mark.parametrize("command", ["run", "condense"])
def test_a_bad_override_through_the_cli_is_one_line_and_exit_2(tmp_path, capsys, command):
    out = tmp_path / "out"
    code = main([command, "--out", str(out), "--set", "train.epochs=5", "backbone.depth=3"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"itas {command}: error: --set: unknown key 'backbone.depth'")
    assert not out.exists()
