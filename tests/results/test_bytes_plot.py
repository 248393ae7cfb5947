from test_plots import load

from results.bytes_plot import accuracy_bytes_table, plot_accuracy_bytes, write_accuracy_bytes


def test_table_by_bytes_with_memoryless_strategies_first(tmp_path, make_run):
    _, summary = load(make_run(tmp_path / "sweep", budgets=("60", "120")))
    table = accuracy_bytes_table(summary)
    # finetune keeps nothing; condensed 3 x (1000|1400 + 200 + 50,000) = 154,200 B on average, and
    # 120 doubles the codes (157,800 B). Acc: finetune (33.3, 40.0), condensed (65.0, 68.3) (+5 at 120)
    assert table.values.tolist() == [
        ["finetune", "0", "2", "–", "36.7 ± 4.7"],
        ["condensed", "60", "2", "0.154", "66.7 ± 2.4"],
        ["condensed", "120", "2", "0.158", "71.7 ± 2.4"],
    ]


def test_plot_and_files_only_for_several_budgets(tmp_path, make_run):
    _, summary = load(make_run(tmp_path / "sweep", budgets=("60", "120")))
    ax = plot_accuracy_bytes(summary).axes[0]
    assert ax.get_xscale() == "log"
    assert [line.get_label() for line in ax.get_lines() if line.get_linestyle() == "--"] == ["finetune (no bytes counted)"]
    names = [path.name for path in write_accuracy_bytes(summary, tmp_path / "out")]
    assert names == ["accuracy_bytes.png", "accuracy_bytes.md"]
    assert "| condensed | 120 | 2 | 0.158 | 71.7 ± 2.4 |" in (tmp_path / "out" / "accuracy_bytes.md").read_text()
    _, single = load(make_run(tmp_path / "one"))
    assert write_accuracy_bytes(single, tmp_path / "none") == []
