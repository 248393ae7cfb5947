"""Edit and F1 counts against actseg 0.1.0, a verbatim copy of MS-TCN eval.py (test extra)."""
import numpy as np
import pytest

from results.metrics.edit import edit_score
from results.metrics.f1 import OVERLAPS, f1_counts

actseg_mstcn = pytest.importorskip("actseg.eval.external.mstcn_code")


def random_labels(rng: np.random.Generator, length: int, classes: int) -> np.ndarray:
    runs = rng.geometric(rng.uniform(0.05, 0.6), size=length)
    return np.repeat(rng.integers(0, classes, size=length), runs)[:length]


def random_pairs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        length, classes = int(rng.integers(1, 200)), int(rng.integers(1, 7))
        gt = random_labels(rng, length, classes)
        pred = gt.copy() if rng.random() < 0.1 else random_labels(rng, length, classes)
        background = (0,) if rng.random() < 0.5 else ()
        yield pred, gt, background


def has_foreground(labels: np.ndarray, background: tuple) -> bool:
    return bool(np.any(~np.isin(labels, background))) if background else len(labels) > 0


def test_edit_matches_actseg_on_random_pairs(monkeypatch):
    monkeypatch.setattr(np, "float", float, raising=False)  # actseg uses the alias numpy 1.24 removed
    compared = 0
    for pred, gt, background in random_pairs(1500, seed=0):
        if not has_foreground(pred, background) and not has_foreground(gt, background):
            continue  # the reference divides 0 by 0 there; ours is pinned to 100 in test_edit.py
        expected = actseg_mstcn.edit_score(pred.tolist(), gt.tolist(), bg_class=list(background))
        assert edit_score(pred, gt, background) == pytest.approx(expected, abs=1e-9)
        compared += 1
    assert compared >= 1000


def test_f1_counts_match_actseg_on_random_pairs():
    compared = 0
    for pred, gt, background in random_pairs(1500, seed=1):
        if not has_foreground(gt, background):
            continue  # the reference raises on an empty argmax; ours is pinned in test_f1.py
        ours = f1_counts(pred, gt, OVERLAPS, background).tolist()
        for k, overlap in enumerate(OVERLAPS):
            expected = actseg_mstcn.f_score(pred.tolist(), gt.tolist(), overlap, bg_class=list(background))
            assert ours[k] == [int(c) for c in expected]
            compared += 1
    assert compared >= 3000
