import pytest

from results.run_files import budget_order, read_memory_csv, read_metrics_csv
from tasks.errors import DataError

HEADER = "strategy,budget,seed,train_task,eval_task,metric,value\n"


def test_reads_typed_columns(run_dir):
    metrics = read_metrics_csv(run_dir / "metrics.csv")
    assert len(metrics) == 4 * 9 * 6  # 4 runs x 3x3 entries x 6 metrics
    assert metrics["seed"].dtype == "int64" and metrics["value"].dtype == "float64"
    assert metrics["budget"].tolist()[0] == "0"  # budgets stay text
    memory = read_memory_csv(run_dir / "memory.csv")
    assert memory["bytes"].sum() == 6 * (1000 + 1400 + 2 * 200 + 2 * 50000)  # 6 (after, task) pairs per seed


def test_absent_memory_csv_is_none(tmp_path):
    assert read_memory_csv(tmp_path / "memory.csv") is None


def test_header_only_memory_csv_is_none(tmp_path):
    """What a run of only memory-less strategies (joint, finetune, lwf) writes."""
    path = tmp_path / "memory.csv"
    path.write_text("strategy,budget,seed,after_task,task,component,bytes,videos,frames\n")
    assert read_memory_csv(path) is None


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty file"),
        ("strategy,budget,seed,metric,value\nx,1,0,acc,1\n", "missing columns train_task, eval_task"),
        (HEADER, "header but no rows"),
        (HEADER + "ft,0,1,0,0,acc,12.5\nft,0,1,1,0,acc,high\n", r"metrics.csv:3: column value must be a number, got 'high'"),
        (HEADER + "ft,0,1.5,0,0,acc,12.5\n", r"metrics.csv:2: column seed must be a non-negative integer"),
        (HEADER + "ft,0,1,-1,0,acc,12.5\n", r"column train_task must be a non-negative integer"),
        (HEADER + ",0,1,0,0,acc,12.5\n", r"metrics.csv:2: column strategy is empty"),
        (HEADER + "ft,0,1,0,0,acc,1\nft,0,1,0,0,acc,2\n", r"metrics.csv:3: duplicate row for strategy=ft"),
        ('strategy,budget\n"unclosed,1\n', "not a valid CSV file"),
    ],
)
def test_malformed_metrics_name_the_file(tmp_path, content, message):
    path = tmp_path / "metrics.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        read_metrics_csv(path)


def test_missing_metrics_csv(tmp_path):
    with pytest.raises(DataError, match="metrics.csv: file not found"):
        read_metrics_csv(tmp_path / "metrics.csv")


def test_budget_order_is_numeric_first():
    assert sorted(["4MB", "120", "60", "", "7.5"], key=budget_order) == ["7.5", "60", "120", "", "4MB"]
