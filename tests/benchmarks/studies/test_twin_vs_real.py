"""The twin-vs-real comparison on two hand-written run folders whose numbers are known."""
import pandas as pd
import pytest

from benchmarks.studies.twin_vs_real import compare, main

HEADER_MEMORY = "strategy,budget,seed,after_task,task,component,bytes,videos,frames\n"


def write_runs(folder, runs):
    """runs: {(strategy, budget, seed): 2x2 R of acc}; edit is half of acc."""
    rows = []
    for (strategy, budget, seed), r in runs.items():
        for i in range(2):
            for j in range(2):
                rows += [(strategy, budget, seed, i, j, metric, r[i][j] * scale) for metric, scale in (("acc", 1), ("edit", 0.5))]
    folder.mkdir()
    pd.DataFrame(rows, columns=["strategy", "budget", "seed", "train_task", "eval_task", "metric", "value"]).to_csv(
        folder / "metrics.csv", index=False)
    (folder / "memory.csv").write_text(HEADER_MEMORY)
    return folder


def r_with_final(first: float, final: float) -> list[list[float]]:
    """A 2-task R whose last row averages to `final` (R[0][0] = first)."""
    return [[first, 0.0], [final - 2, final + 2]]


@pytest.fixture
def pair(tmp_path):
    # real: a 10, b 20, c 30, d 40 (per seed ± 1); twin: a 15, b 10, c 35, d 40 -> ranks 2 1 3 4 (ρ = 0.8).
    real = {"a": 10, "b": 20, "c": 30, "d": 40}
    twin = {"a": 15, "b": 10, "c": 35, "d": 40}
    budget = {"a": "none", "b": "6", "c": "6", "d": "6"}

    def runs(means, seeds):
        return {(m, budget[m], seed): r_with_final(50.0, acc + offset)
                for m, acc in means.items() for seed, offset in zip(seeds, (-1, 1))}

    return (write_runs(tmp_path / "real", runs(real, (42, 123))),
            write_runs(tmp_path / "twin", runs(twin, (42, 123))))


def test_side_by_side_means_stds_matrices_and_spearman(pair):
    table, agreement, text = compare([pair[0]], [pair[1]])
    assert list(table.index) == ["d", "c", "b", "a"]  # best first on the real side
    assert table.loc["c", "mean_real"] == pytest.approx(30.0)
    assert table.loc["c", "std_real"] == pytest.approx(2 ** 0.5)  # 29 and 31, sample std
    assert table.loc["a", "difference"] == pytest.approx(5.0)
    assert table.loc["b", "R_twin"] == "50.0 0.0 / 8.0 12.0"
    assert agreement["rho_of_means"] == pytest.approx(0.8)
    assert agreement["per_seed"] == {42: pytest.approx(0.8), 123: pytest.approx(0.8)}
    assert "| c | 30.0 ± 1.4 (2) | 35.0 ± 1.4 (2) | +5.0 |" in text


def test_other_metric_and_a_memory_on_one_side_only(tmp_path, pair):
    extra = write_runs(tmp_path / "extra", {("e", "6", 42): r_with_final(50.0, 90.0)})
    table, agreement, text = compare([pair[0], extra], [pair[1]], metric="edit")
    assert table.loc["d", "mean_real"] == pytest.approx(20.0)
    assert agreement["memories"] == 4  # e is not on the twin side: shown, not ranked
    assert "| e | 90.0 ± –" not in text and "| e | 45.0 (1) | not run |" in text


def test_cli_writes_tables_and_refuses_bad_input(tmp_path, pair, capsys):
    assert main([str(pair[0]), str(pair[1]), "--out", str(tmp_path / "out"), "--names", "vts", "vts-twin"]) == 0
    assert "vts-twin − vts" in (tmp_path / "out" / "twin_vs_real.md").read_text()
    assert pd.read_csv(tmp_path / "out" / "twin_vs_real.csv").shape[0] == 4
    capsys.readouterr()
    assert main([str(pair[0]), str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.strip() == f"twin_vs_real: error: {tmp_path / 'missing'}: run folder does not exist"
    lonely = write_runs(tmp_path / "lonely", {("z", "6", 42): r_with_final(50.0, 60.0)})
    assert main([str(pair[0]), str(lonely)]) == 2
    assert "no memory in common" in capsys.readouterr().err
    assert main([str(pair[0]), str(pair[1]), "--metric", "bleu"]) == 2
    assert "metric 'bleu' is not in the runs" in capsys.readouterr().err
