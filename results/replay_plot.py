"""A picture of replay against the real data it stands in for: a 2-D PCA (scikit-learn) of real and
replayed frames of one task, coloured by class (as Fig. 3 of Ding et al., CVPR 2025)."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sklearn.decomposition import PCA

from results.ribbons import class_colours, legend_columns

MAX_FRAMES = 1500  # per side: enough to see the clusters, few enough to read the scatter


def evenly(n: int, most: int) -> np.ndarray:
    """At most `most` indices spread evenly over range(n) (deterministic, unlike a random sample)."""
    return np.unique(np.linspace(0, n - 1, min(n, most)).round().astype(int)) if n else np.arange(0)


def plot_replay_embedding(real: tuple[np.ndarray, np.ndarray], replayed: tuple[np.ndarray, np.ndarray],
                          classes: list[str], title: str) -> Figure:
    """`real` and `replayed`: (frames (N, D), class ids (N,)); one PCA is fitted on both sides."""
    sides = []
    for features, labels in (real, replayed):
        keep = evenly(len(labels), MAX_FRAMES)
        sides.append((np.asarray(features)[keep], np.asarray(labels)[keep]))
    points = PCA(n_components=2, random_state=0).fit_transform(np.concatenate([f for f, _ in sides]))
    shown = sorted({classes[c] for _, labels in sides for c in labels})
    colours = class_colours(shown)
    columns = legend_columns(len(shown) + 2, 6)
    fig = Figure(figsize=(6 + 2.2 * columns, 6), layout="constrained")
    ax = fig.add_subplot()
    start = 0
    for (features, labels), marker, alpha in zip(sides, ("o", "x"), (0.25, 0.8)):
        xy = points[start:start + len(labels)]
        start += len(labels)
        ax.scatter(xy[:, 0], xy[:, 1], s=10, marker=marker, alpha=alpha,
                   c=[colours[classes[c]] for c in labels])
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(title)
    handles = [Line2D([], [], marker="o", ls="", color="grey", label=f"real ({len(sides[0][1])} frames)"),
               Line2D([], [], marker="x", ls="", color="grey", label=f"replayed ({len(sides[1][1])} frames)")]
    handles += [Line2D([], [], marker="s", ls="", color=colours[name], label=name) for name in shown]
    fig.legend(handles=handles, loc="outside right upper", fontsize="x-small", ncols=columns)
    return fig
