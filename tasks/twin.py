"""A procedural twin of a dataset: a generative model fitted to its statistics, from which a new
dataset in the MS-TCN layout is drawn. No frame of the source is copied; what is kept are fitted
statistics (means, covariances, length and transcript distributions).

Label side, per activity: the number of train and test videos, the action set (the labels seen in
its transcripts), a transcript model — a first-order Markov chain over segment labels with start
and end states, counted from all its transcripts, run for a number of segments drawn from theirs
(TranscriptModel) — and per action a log-normal segment length (mean and std of log length).

Feature side, at the profiled frame rate (tasks/profile.py), after an optional PCA to `dim`:

    x_t = a_k + b_k·c_t      start/end prototypes: per class k a least-squares line over progress c
        + u_v                per-video offset ~ N(0, Σ_u), Σ_u the covariance of video mean residuals
        + o_i                per-segment offset ~ N(0, Σ_o), Σ_o that of segment means after u_v
        + s_t                structured within-segment variation: a stationary AR(1) process with
                             coefficient ρ in the eigenbasis of Σ_s, its segment mean removed
        + w_t                white noise, per dimension std σ_d = √nugget × within-segment scale_d

Σ_s is the covariance of within-segment deviations minus the white part (κ·diag σ², negative
eigenvalues clipped); ρ solves (1 − ρ)/g(ρ) = (γ(1) − nugget)/(V − κ·nugget), so that the twin's
within-segment variogram at lag 1 and its within-segment variance match the profile's (g(ρ) is the
frame-weighted share of an AR(1)'s variance left after removing segment means). The AR(1) runs at
the native rate with coefficient ρ^(1/sample_rate), and lengths are drawn at the native rate, so the
twin read at `sample_rate` is the fitted process.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from tasks.datasets import ActionDataset
from tasks.errors import DataError
from tasks.label_stats import segment_table
from tasks.procedural import ar1_noise
from tasks.profile import MIN_SEGMENT, within_segment_scale, white_noise
from tasks.video import Video, coherence, segments, tile_segments

END = -1
COVERAGE_TRIES = 1000
BACKFIT_SWEEPS = 5


@dataclass
class TranscriptModel:
    """Per activity: start counts, transition counts from (label, is it the first segment) to the
    next label or END = -1, and how many transcripts had each number of segments. The first segment
    has its own transitions, so that a chain never ends right after it unless a real transcript did.
    A transcript draws its number of segments n from those counts, then a chain conditioned to end
    after exactly n segments (backward messages): a plain chain's geometric length would turn long
    repetitive transcripts (a suture's cycles) into a few very short and very long ones."""

    start: dict[str, Counter]
    transitions: dict[str, dict[tuple[int, bool], Counter]]
    sizes: dict[str, Counter]

    def action_set(self, activity: str) -> set[int]:
        return {label for label, _ in self.transitions[activity]}

    def _matrices(self, activity: str) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
        """Labels, start probabilities, and transition matrices (first, later) with END last."""
        labels = sorted(self.action_set(activity))
        column = {label: i for i, label in enumerate(labels)} | {END: len(labels)}
        start = np.array([self.start[activity][label] for label in labels], dtype=np.float64)
        first, later = np.zeros((2, len(labels), len(labels) + 1))
        for (label, is_first), counts in self.transitions[activity].items():
            row = (first if is_first else later)[column[label]]
            for nxt, count in counts.items():
                row[column[nxt]] += count
            row /= row.sum()
        return labels, start / start.sum(), first, later

    def sample(self, activity: str, rng: np.random.Generator) -> list[int]:
        labels, start, first, later = self._matrices(activity)
        sizes = sorted(self.sizes[activity])
        weights = np.array([self.sizes[activity][n] for n in sizes], dtype=np.float64)
        ends = [later[:, -1]]  # ends[m][s]: P(the chain ends exactly m labels after s | s not first)
        for _ in range(max(sizes)):
            ends.append(later[:, :-1] @ ends[-1])
        for _ in range(COVERAGE_TRIES):
            n = sizes[rng.choice(len(sizes), p=weights / weights.sum())]
            p = start * (first[:, -1] if n == 1 else first[:, :-1] @ ends[n - 2])
            if p.sum() > 0:
                break
        else:
            raise DataError(f"activity {activity}: no transcript length is reachable by the fitted chain")
        chain = [rng.choice(len(labels), p=p / p.sum())]
        for position in range(2, n + 1):
            p = (first if position == 2 else later)[chain[-1], :-1] * ends[n - position]
            chain.append(rng.choice(len(labels), p=p / p.sum()))
        return [labels[i] for i in chain]


def covering_transcripts(model: TranscriptModel, activity: str, train: int, test: int,
                         rng: np.random.Generator) -> list[list[int]]:
    """`train` + `test` transcripts of one activity, the first `train` redrawn (up to COVERAGE_TRIES
    times) until they show every action of the activity's set, as the source's training split does."""
    needed = model.action_set(activity)
    for _ in range(COVERAGE_TRIES):
        drawn = [model.sample(activity, rng) for _ in range(train)]
        if {a for steps in drawn for a in steps} >= needed:
            break
    return drawn + [model.sample(activity, rng) for _ in range(test)]


def fit_transcripts(videos: list[Video]) -> TranscriptModel:
    start: dict[str, Counter] = defaultdict(Counter)
    transitions: dict[str, dict[tuple[int, bool], Counter]] = defaultdict(lambda: defaultdict(Counter))
    sizes: dict[str, Counter] = defaultdict(Counter)
    for video, labels, _ in segment_table(videos):
        steps = labels.tolist()
        start[video.activity][steps[0]] += 1
        for position, (a, b) in enumerate(zip(steps, steps[1:] + [END])):
            transitions[video.activity][(a, position == 0)][b] += 1
        sizes[video.activity][len(steps)] += 1
    return TranscriptModel(dict(start), {k: dict(v) for k, v in transitions.items()}, dict(sizes))


def ar1_retained(rho: float, lengths: np.ndarray) -> float:
    """g(ρ): the frame-weighted fraction of a stationary AR(1)'s variance left around segment means."""
    kept = 0.0
    for length in lengths:
        h = np.arange(1, length)
        mean_var = (1 + 2 * np.sum((1 - h / length) * rho ** h)) / length
        kept += length * (1 - mean_var)
    return kept / lengths.sum()


def solve_rho(target: float, lengths: np.ndarray) -> float:
    """ρ in [0, 0.999] with (1 − ρ)/g(ρ) = target (decreasing in ρ), by bisection; clipped at the ends."""
    lengths = np.asarray(lengths)
    low, high = 0.0, 0.999
    if (1 - low) / ar1_retained(low, lengths) <= target:
        return low
    if (1 - high) / ar1_retained(high, lengths) >= target:
        return high
    for _ in range(50):
        mid = (low + high) / 2
        if (1 - mid) / ar1_retained(mid, lengths) > target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _covariance(rows: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.cov(np.asarray(rows, dtype=np.float64).T, bias=True))


def _psd_root(cov: np.ndarray) -> np.ndarray:
    """A matrix R with R Rᵀ = the PSD part of `cov` (negative eigenvalues clipped)."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0, None))


@dataclass
class FeatureModel:
    """Fitted feature-side parameters (in the projected space when `projection` is set)."""

    start: np.ndarray          # (C, D) a_k: the prototype at progress 0
    end: np.ndarray            # (C, D) a_k + b_k: at progress 1
    video_root: np.ndarray     # (D, D) Σ_u^½
    segment_root: np.ndarray   # (D, D) Σ_o^½
    smooth_root: np.ndarray    # (D, D) Σ_s^½ (stationary AR(1) covariance)
    rho: float                 # AR(1) coefficient per profiled frame
    white_std: np.ndarray      # (D,) per-dimension white-noise std
    mean: np.ndarray | None = None        # PCA mean (source dim)
    projection: np.ndarray | None = None  # (dim, source dim) PCA components

    def summary(self) -> dict:
        return {"dim": int(self.start.shape[1]), "rho": self.rho,
                "white_std_median": float(np.median(self.white_std)),
                "video_offset_variance": float(np.square(self.video_root).sum() / self.start.shape[1]),
                "segment_offset_variance": float(np.square(self.segment_root).sum() / self.start.shape[1]),
                "smooth_variance": float(np.square(self.smooth_root).sum() / self.start.shape[1]),
                "projected_from": None if self.projection is None else int(self.projection.shape[1])}


def _project(videos: list[Video], dim: int | None) -> tuple[list[Video], np.ndarray | None, np.ndarray | None]:
    if dim is None or dim >= videos[0].dim:
        return videos, None, None
    from sklearn.decomposition import PCA

    pca = PCA(n_components=dim, random_state=0).fit(np.concatenate([v.features for v in videos]))
    projected = [Video(v.name, v.activity, pca.transform(v.features).astype(np.float32), v.labels) for v in videos]
    return projected, pca.mean_, pca.components_


def prototype_lines(x: np.ndarray, y: np.ndarray, c: np.ndarray, video: np.ndarray, num_classes: int,
                    sweeps: int = BACKFIT_SWEEPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of x ≈ a_y + b_y·c + u_video by backfitting: per class a line over progress on
    frames less their video's offset, then per video the mean remainder (centred, so a constant
    cannot drift between the two). Without the video term a class seen in few videos would take
    their scene offsets into its prototypes. Returns start a (C, D), end a + b (C, D), u (V, D)."""
    d = x.shape[1]
    start, end = np.zeros((num_classes, d)), np.zeros((num_classes, d))
    offsets = np.zeros((video.max() + 1, d))
    for _ in range(sweeps):
        target = x - offsets[video]
        for k in np.unique(y):
            xs, cs = target[y == k], c[y == k]
            spread = cs.var()
            slope = ((cs - cs.mean())[:, None] * (xs - xs.mean(0))).mean(0) / spread if spread > 0 else np.zeros(d)
            start[k] = xs.mean(0) - slope * cs.mean()
            end[k] = start[k] + slope
        remainder = x - start[y] - (end[y] - start[y]) * c[:, None]
        sums = np.zeros_like(offsets)
        np.add.at(sums, video, remainder)
        offsets = sums / np.bincount(video)[:, None]
        shift = offsets.mean(0)
        offsets, start, end = offsets - shift, start + shift, end + shift
    return start, end, offsets


def fit_features(train: list[Video], num_classes: int, dim: int | None = None) -> FeatureModel:
    """The feature model of the module docstring, fitted on the training videos."""
    train, mean, projection = _project(train, dim)
    d = train[0].dim
    x = np.concatenate([v.features for v in train]).astype(np.float64)
    y = np.concatenate([v.labels for v in train])
    c = np.concatenate([coherence(segments(v.labels)[2] - segments(v.labels)[1]) for v in train]).astype(np.float64)
    video = np.repeat(np.arange(len(train)), [v.num_frames for v in train])
    start, end, video_means = prototype_lines(x, y, c, video, num_classes)
    residual = x - start[y] - (end[y] - start[y]) * c[:, None] - video_means[video]
    segment_means, deviations, offset = [], [], 0
    for own_video in train:
        own = residual[offset: offset + own_video.num_frames]
        offset += own_video.num_frames
        _, starts, ends = segments(own_video.labels)
        for s, e in zip(starts, ends):
            segment_means.append(own[s:e].mean(0))
            deviations.append(own[s:e] - own[s:e].mean(0))
    lengths = np.array([len(dev) for dev in deviations])
    # The profile statistics of the residual (prototype lines removed), so that the scalars below
    # describe the same within-segment variation as the covariance of `deviations`.
    residual_videos, offset = [], 0
    for video in train:
        residual_videos.append(Video(video.name, video.activity, residual[offset: offset + video.num_frames], video.labels))
        offset += video.num_frames
    scale = within_segment_scale(residual_videos)
    noise = white_noise(residual_videos, scale)
    white_var = noise["white_variance"] * scale ** 2
    kappa = noise["kappa"]
    smooth_within = _covariance(np.concatenate(deviations)) - kappa * np.diag(white_var)
    smooth_share = noise["within_segment_variance"] - kappa * noise["white_variance"]
    step = noise["white_process_variance"] * (1 - noise["lag1_autocorrelation"]) - noise["white_variance"]
    rho = solve_rho(max(step, 0.0) / smooth_share, lengths) if smooth_share > 0 else 0.0
    retained = ar1_retained(rho, lengths)
    return FeatureModel(
        start=start.astype(np.float32), end=end.astype(np.float32),
        video_root=_psd_root(_covariance(video_means)),
        segment_root=_psd_root(_covariance(np.array(segment_means))),
        smooth_root=_psd_root(smooth_within / max(retained, 1e-6)), rho=float(rho),
        white_std=np.sqrt(white_var), mean=mean, projection=projection)


@dataclass
class TwinModel:
    actions: list[str]
    videos: dict[str, tuple[int, int]]      # per activity (train, test) video counts
    transcripts: TranscriptModel
    lengths: dict[int, tuple[float, float]]  # per action (mean, std) of log length at the profiled rate
    features: FeatureModel
    sample_rate: int

    def summary(self) -> dict:
        """The fitted parameters worth reading (twin.json): no frame, no per-class prototype."""
        return {"sample_rate": self.sample_rate, "videos": self.videos,
                "action_sets": {activity: sorted(self.actions[a] for a in self.transcripts.action_set(activity))
                                for activity in self.videos},
                "segment_lengths": {self.actions[a]: {"log_mean": m, "log_std": s} for a, (m, s) in sorted(self.lengths.items())},
                "features": self.features.summary()}


def fit_twin(data: ActionDataset, sample_rate: int, dim: int | None = None) -> TwinModel:
    """Fit the twin to `data` (read at `sample_rate`): label side on all videos, features on train."""
    if len({v.name for v in data.videos}) < 2:
        raise DataError(f"{data.root}: a twin needs at least 2 videos")
    counts = Counter((v.activity, part) for part, vs in (("train", data.train), ("test", data.test)) for v in vs)
    by_action: dict[int, list[int]] = defaultdict(list)
    for _, labels, lengths in segment_table(data.videos):
        for label, length in zip(labels.tolist(), lengths.tolist()):
            by_action[label].append(length)
    lengths = {a: (float(np.log(v).mean()), float(np.log(v).std())) for a, v in by_action.items()}
    try:
        features = fit_features(data.train, len(data.actions), dim)
    except DataError as err:
        raise DataError(f"{data.root}: {err}") from None
    return TwinModel(list(data.actions), {a: (counts[(a, "train")], counts[(a, "test")]) for a in data.activities},
                     fit_transcripts(data.videos), lengths, features, sample_rate)


def render_twin(model: TwinModel, seed: int) -> tuple[Iterator[tuple[str, np.ndarray, np.ndarray]], dict[str, list[str]]]:
    """(name, (T, D) features at the native rate, labels) of every twin video, and its split bundles."""
    plan = [(f"twin_{index:04d}_{activity}", activity, part)
            for activity, (train, test) in model.videos.items()
            for index, part in enumerate(["train"] * train + ["test"] * test)]
    bundles = {f"{part}.split1": [name for name, _, p in plan if p == part] for part in ("train", "test")}
    rate, fm = model.sample_rate, model.features
    rho = fm.rho ** (1.0 / rate)

    def videos() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        rng = np.random.default_rng(seed)
        transcripts = {activity: covering_transcripts(model.transcripts, activity, train, test, rng)
                       for activity, (train, test) in model.videos.items()}
        for name, activity, _ in plan:
            steps = np.array(transcripts[activity].pop(0))
            log_mean = np.array([model.lengths[a][0] for a in steps]) + np.log(rate)
            log_std = np.array([model.lengths[a][1] for a in steps])
            lengths = np.maximum(np.rint(np.exp(log_mean + log_std * rng.standard_normal(len(steps)))), 1).astype(np.int64)
            labels = tile_segments(steps, lengths)
            progress = coherence(lengths)[:, None]
            dim = fm.start.shape[1]
            segment = np.repeat(np.arange(len(steps)), lengths)
            offsets = rng.standard_normal((len(steps), dim)) @ fm.segment_root.T
            smooth = ar1_noise(len(labels), dim, rho, 1.0, rng).astype(np.float64) @ fm.smooth_root.T
            sums = np.zeros((len(steps), dim))
            np.add.at(sums, segment, smooth)
            smooth -= (sums / lengths[:, None])[segment]
            frames = ((1 - progress) * fm.start[labels] + progress * fm.end[labels] + offsets[segment] + smooth
                      + rng.standard_normal(dim) @ fm.video_root.T + fm.white_std * rng.standard_normal((len(labels), dim)))
            yield name, frames.astype(np.float32), labels

    return videos(), bundles
