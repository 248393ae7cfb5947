"""output.loggers: Avalanche's TensorBoard, CSV and W&B loggers fed by a tiny run, read back."""
import sys
import warnings

import pandas as pd
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tiny_config import tiny_config, write_config

from benchmarks.cli import main
from benchmarks.orchestration.loggers import make_loggers, require_logger_packages
from tasks.errors import DataError

pytestmark = pytest.mark.usefixtures("itas_cache")
RUN = "finetune__none__seed42"


@pytest.fixture(scope="module")
def logged_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logged")
    cfg = tiny_config(strategies=["finetune"], protocol={"tasks": 2, "seeds": [42]}, train={"epochs": 2},
                      output={"loggers": ["tensorboard", "csv"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(["run", str(write_config(folder / "tiny.yaml", cfg)), "--out", str(folder / "out"),
                     "--device", "cpu", "--no-progress", "--jobs", "1"])
    assert code == 0
    return folder / "out", [str(w.message) for w in caught]


def test_tensorboard_holds_the_final_acc_of_every_task_and_the_epoch_loss(logged_run):
    out, _ = logged_run
    events = EventAccumulator(str(out / "loggers" / RUN / "tensorboard"))
    events.Reload()
    metrics = pd.read_csv(out / "metrics.csv")
    final = metrics[(metrics.train_task == 1) & (metrics.metric == "acc")].set_index("eval_task")["value"]
    for task in (0, 1):
        logged = events.Scalars(f"Top1_Acc_Exp/eval_phase/test_stream/Exp{task:03d}")
        assert len(logged) == 2  # after task 0 and after task 1
        assert logged[-1].value == pytest.approx(final[task], abs=5e-5)  # metrics.csv keeps 4 decimals
    edit = events.Scalars("Edit_Exp/eval_phase/test_stream/Exp001")[-1].value
    assert edit == pytest.approx(metrics.query("train_task == 1 and eval_task == 1 and metric == 'edit'")
                                 ["value"].item(), abs=5e-5)
    losses = [s.value for s in events.Scalars("Loss_Epoch/train_phase/train_stream")]
    assert len(losses) == 4 and all(loss > 0 for loss in losses)  # 2 tasks x 2 epochs


def test_csv_logger_writes_avalanches_two_files(logged_run):
    out, _ = logged_run
    folder = out / "loggers" / RUN / "csv"
    training = pd.read_csv(folder / "training_results.csv")
    assert list(training["training_exp"]) == [0, 0, 1, 1] and (training["training_loss"] > 0).all()
    evaluated = pd.read_csv(folder / "eval_results.csv")
    metrics = pd.read_csv(out / "metrics.csv").query("metric == 'acc'")
    assert len(evaluated) == 4
    for row in evaluated.itertuples():
        expected = metrics.query(f"train_task == {row.training_exp} and eval_task == {row.eval_exp}")["value"].item()
        assert row.eval_accuracy == pytest.approx(expected, abs=1e-4)


def test_a_run_with_loggers_shows_no_library_warnings(logged_run):
    assert logged_run[1] == []


def test_a_run_without_loggers_shows_no_avalanche_warning(tmp_path, recwarn):
    cfg = tiny_config(strategies=["finetune"], protocol={"tasks": 2, "seeds": [42]})
    code = main(["run", str(write_config(tmp_path / "tiny.yaml", cfg)), "--out", str(tmp_path / "out"),
                 "--device", "cpu", "--no-progress", "--jobs", "1"])
    assert code == 0
    assert [str(w.message) for w in recwarn] == []
    assert not (tmp_path / "out" / "loggers").exists()


def test_wandb_logs_offline_into_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    [logger] = make_loggers(["wandb"], tmp_path / RUN, RUN, {"strategy": "finetune", "budget": "none", "seed": 42})
    try:
        assert logger.wandb.run.settings.mode == "offline" and logger.wandb.run.name == RUN
        assert dict(logger.wandb.run.config) == {"strategy": "finetune", "budget": "none", "seed": 42}
        logger.log_single_metric("Top1_Acc_Exp/eval_phase/test_stream/Exp000", 61.5, 12)
        logger.log_single_metric("Loss_Epoch/train_phase/train_stream", 0.5, 13)  # commits step 12
        assert logger.wandb.run.summary["Top1_Acc_Exp/eval_phase/test_stream/Exp000"] == 61.5
    finally:
        logger.wandb.finish()
    assert list((tmp_path / RUN / "wandb" / "wandb").glob("offline-run-*"))


def test_a_missing_logger_package_is_a_one_line_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard now fails
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None if name == "tensorboard" else object())
    with pytest.raises(DataError, match=r"output.loggers: 'tensorboard' needs the tensorboard package: "
                                        r"pip install -e '.\[tensorboard\]'"):
        require_logger_packages(["csv", "tensorboard"])


def test_an_unknown_logger_is_a_config_error(tmp_path, capsys):
    cfg = tiny_config(output={"loggers": ["mlflow"]})
    assert main(["run", str(write_config(tmp_path / "c.yaml", cfg)), "--out", str(tmp_path / "o")]) == 2
    assert "'output.loggers' must be a list of tensorboard, wandb, csv, got ['mlflow']" in capsys.readouterr().err
