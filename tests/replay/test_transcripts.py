import numpy as np

from replay.transcripts import Transcripts
from tasks.video import coherence
from tasks.video import Video


def _video(name: str, labels: list[int]) -> Video:
    return Video(name, "act", np.zeros((len(labels), 2), dtype=np.float32), np.asarray(labels, dtype=np.int64))


def test_coherence_runs_zero_to_one_per_segment_and_zero_for_single_frames():
    np.testing.assert_allclose(coherence(np.array([3, 1, 5])), [0, 0.5, 1, 0, 0, 0.25, 0.5, 0.75, 1])


def test_from_videos_counts_and_exact_bytes():
    t = Transcripts.from_videos([_video("a", [1, 1, 2, 2, 2]), _video("b", [3]), _video("c", [0, 4, 4])])
    np.testing.assert_array_equal(t.labels, [1, 2, 3, 0, 4])
    np.testing.assert_array_equal(t.lengths, [2, 3, 1, 1, 2])
    np.testing.assert_array_equal(t.segments_per_video, [2, 1, 2])
    np.testing.assert_array_equal(t.frames_per_video(), [5, 1, 3])
    np.testing.assert_array_equal(t.frame_labels(), [1, 1, 2, 2, 2, 3, 0, 4, 4])
    # 5 labels + 5 lengths + 3 per-video counts, int32
    assert t.nbytes == (5 + 5 + 3) * 4
    assert (t.num_videos, t.num_segments, t.num_frames) == (3, 5, 9)


def test_select_keeps_whole_videos_in_requested_order():
    t = Transcripts.from_videos([_video("a", [1, 1, 2]), _video("b", [3]), _video("c", [0, 4, 4, 5])])
    s = t.select([2, 0])
    np.testing.assert_array_equal(s.labels, [0, 4, 5, 1, 2])
    np.testing.assert_array_equal(s.lengths, [1, 2, 1, 2, 1])
    np.testing.assert_array_equal(s.segments_per_video, [3, 2])


def test_split_and_join_round_trip_with_copies():
    t = Transcripts.from_videos([_video("a", [1, 1, 2]), _video("b", [3]), _video("c", [0, 4, 4, 5])])
    parts = t.split()
    assert [p["labels"].tolist() for p in parts] == [[1, 2], [3], [0, 4, 5]]
    assert [p["lengths"].tolist() for p in parts] == [[2, 1], [1], [1, 2, 1]]
    assert not np.shares_memory(parts[0]["labels"], t.labels)
    back = Transcripts.join(parts)
    for field in ("labels", "lengths", "segments_per_video"):
        np.testing.assert_array_equal(getattr(back, field), getattr(t, field))
    assert Transcripts.join([]).num_videos == 0 and Transcripts.from_videos([]).split() == []
