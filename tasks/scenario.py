"""A class-incremental scenario: seeded activity order, label space, per-task videos."""
from __future__ import annotations

from dataclasses import dataclass

from tasks.datasets import ActionDataset
from tasks.labels import LabelSpace, build_label_space
from tasks.splits import group_activities, task_order
from tasks.video import Video


@dataclass
class Task:
    index: int
    activities: list[str]
    class_ids: list[int]
    train: list[Video]
    test: list[Video]


@dataclass
class Scenario:
    seed: int
    order: list[str]
    label_space: LabelSpace
    tasks: list[Task]

    @property
    def num_classes(self) -> int:
        return self.label_space.num_classes

    def summary(self) -> dict:
        """The per-seed entry of tasks.json."""
        classes = self.label_space.classes
        return {
            "order": list(self.order),
            "num_classes": self.num_classes,
            "tasks": [
                {
                    "task": task.index,
                    "activities": list(task.activities),
                    "classes": [classes[i] for i in task.class_ids],
                    "train_videos": len(task.train),
                    "test_videos": len(task.test),
                }
                for task in self.tasks
            ],
        }


def build_scenario(dataset: ActionDataset, labels: str | LabelSpace = "disjoint",
                   n_tasks: int = 10, seed: int = 42) -> Scenario:
    """Split `dataset` into `n_tasks` tasks of consecutive activities in the seeded order;
    videos are encoded into the label space (a kind name or a prebuilt LabelSpace)."""
    space = labels if isinstance(labels, LabelSpace) else build_label_space(dataset, labels)
    order = task_order(dataset.activities, seed)
    tasks = []
    for index, activities in enumerate(group_activities(order, n_tasks)):
        members = set(activities)
        tasks.append(Task(
            index=index,
            activities=activities,
            class_ids=space.classes_of(activities),
            train=[space.encode(v) for v in dataset.train if v.activity in members],
            test=[space.encode(v) for v in dataset.test if v.activity in members],
        ))
    return Scenario(seed, order, space, tasks)
