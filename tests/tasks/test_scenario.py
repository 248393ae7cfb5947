import numpy as np

from tasks.scenario import build_scenario


def test_ten_task_disjoint_summary(quick_dataset):
    scenario = build_scenario(quick_dataset, "disjoint", n_tasks=10, seed=42)
    summary = scenario.summary()
    assert summary["order"][:2] == ["sandwich", "juice"]
    assert summary["num_classes"] == 84
    first = summary["tasks"][0]
    assert first == {
        "task": 0, "activities": ["sandwich"],
        "classes": ["sandwich/SIL", "sandwich/take_plate", "sandwich/take_knife", "sandwich/cut_bun",
                    "sandwich/smear_butter", "sandwich/take_topping", "sandwich/put_toppingOnTop",
                    "sandwich/put_bunTogether", "sandwich/take_butter"],
        "train_videos": 18, "test_videos": 6,
    }
    assert sum(len(t["classes"]) for t in summary["tasks"]) == 84
    task = scenario.tasks[0]
    labels = np.concatenate([v.labels for v in task.train + task.test])
    assert set(np.unique(labels)) == set(task.class_ids)
    assert all(v.activity == "sandwich" for v in task.train)


def test_five_task_blurry_classes_overlap(quick_dataset):
    scenario = build_scenario(quick_dataset, "blurry", n_tasks=5, seed=42)
    summary = scenario.summary()
    assert summary["num_classes"] == 48
    assert [t["activities"] for t in summary["tasks"]][0] == ["sandwich", "juice"]
    assert [t["train_videos"] for t in summary["tasks"]] == [36] * 5
    sizes = [len(t["classes"]) for t in summary["tasks"]]
    assert sum(sizes) > 48  # shared actions (SIL, take_plate, ...) appear in several tasks
    assert "SIL" in summary["tasks"][0]["classes"] and "SIL" in summary["tasks"][4]["classes"]
