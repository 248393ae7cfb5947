from benchmarks.orchestration.outputs import MEMORY_COLUMNS, METRIC_COLUMNS, final_table, memory_frame, metrics_frame


def _metrics(label: str, acc: list[list[float]]) -> list[list]:
    """Rows [label, train_task, eval_task, metric, value]: Acc as given, Edit = Acc - 10."""
    return [[label, i, j, metric, value - offset]
            for i, row in enumerate(acc) for j, value in enumerate(row)
            for metric, offset in (("acc", 0), ("edit", 10))]


RECORDS = [
    {"strategy": "finetune", "budget": "none", "seed": 1, "seconds": 2.0, "memory": [],
     "metrics": _metrics("finetune", [[80, 0], [10, 70]])},
    {"strategy": "finetune", "budget": "none", "seed": 2, "seconds": 4.0, "memory": [],
     "metrics": _metrics("finetune", [[60, 0], [30, 90]])},
    {"strategy": "mean", "budget": "videos=4", "seed": 1, "seconds": 3.0,
     "metrics": _metrics("mean", [[90, 0], [50, 70]]) + _metrics("mean-nme", [[85, 0], [55, 65]]),
     # after task 0: task 0 holds 110 bytes; after task 1: tasks 0 and 1 hold 55 + 66 = 121
     "memory": [[0, 0, "features", 100, 4, 40], [0, 0, "transcripts", 10, 4, 40],
                [1, 0, "features", 50, 2, 20], [1, 0, "transcripts", 5, 2, 20],
                [1, 1, "features", 60, 2, 24], [1, 1, "transcripts", 6, 2, 24]]},
]


def test_frames_prefix_budget_and_seed_to_the_record_rows():
    metrics = metrics_frame(RECORDS)
    assert list(metrics.columns) == METRIC_COLUMNS and len(metrics) == 3 * 8 + 8
    assert metrics.iloc[-1].tolist() == ["mean-nme", "videos=4", 1, 1, 1, "edit", 55]
    memory = memory_frame(RECORDS)
    assert list(memory.columns) == MEMORY_COLUMNS and len(memory) == 6
    assert memory.iloc[0].tolist() == ["mean", "videos=4", 1, 0, 0, "features", 100, 4, 40]


def test_final_table_is_the_last_row_mean_averaged_over_seeds():
    text = final_table(RECORDS)
    lines = text.splitlines()
    assert lines[0] == "Final average over tasks (last row of R):"
    assert lines[1].split() == ["metric", "acc", "edit", "memory_bytes", "seconds"]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[3:]}
    # finetune: last rows average (10 + 70)/2 = 40 and (30 + 90)/2 = 60 -> 50; seconds 2 + 4 summed over seeds
    assert rows[("finetune", "none")] == ["50.0", "40.0", "0", "6.0"]
    # mean: (50 + 70)/2 = 60, bytes held after the last task 121; its NME row shares the run's record
    assert rows[("mean", "videos=4")] == ["60.0", "50.0", "121", "3.0"]
    assert rows[("mean-nme", "videos=4")] == ["60.0", "50.0", "0", "0.0"]
    assert len(rows) == 3


def test_final_table_without_any_memory():
    text = final_table(RECORDS[:2])
    assert text.splitlines()[3].split() == ["finetune", "none", "50.0", "40.0", "0", "6.0"]
