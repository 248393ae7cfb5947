import pytest

from replay.budget import Budget, fit_videos, format_bytes, parse_bytes
from tasks.errors import DataError


def test_parse_videos_and_bytes_with_units():
    assert Budget.parse({"videos": 60}) == Budget(videos=60)
    assert Budget.parse({"bytes": "4MB"}).bytes == 4_000_000
    assert Budget.parse({"bytes": 4_000_000}).bytes == 4_000_000
    assert Budget.parse({"bytes": "4MiB"}).bytes == 4 * 1024 * 1024
    assert Budget.parse({"bytes": "1.5 KB"}).bytes == 1500
    assert Budget.parse({"bytes": "2gb"}).bytes == 2_000_000_000
    assert Budget.parse({"bytes": "3GiB"}).bytes == 3 * 2**30
    assert Budget.parse({"bytes": "512B"}).bytes == 512
    assert Budget.parse({"bytes": "10KB", "count_decoders": False}).count_decoders is False


def test_labels_read_back_as_the_same_budget():
    assert Budget(videos=60).label == "videos=60"
    assert Budget.parse({"bytes": "4MB"}).label == "bytes=4MB"
    assert Budget.parse({"bytes": 4 * 2**20}).label == "bytes=4MiB"
    assert Budget.parse({"bytes": 1500}).label == "bytes=1500B"
    assert Budget.parse({"bytes": "4MB", "count_decoders": False}).label == "bytes=4MB,count_decoders=false"
    for spec in ({"bytes": "4MB"}, {"bytes": 4 * 2**20}, {"bytes": 1500}):
        assert Budget.parse({"bytes": Budget.parse(spec).label.split("=")[1]}) == Budget.parse(spec)


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"videos": 60, "bytes": "4MB"}, "exactly one of 'videos' or 'bytes'"),
        ({}, "exactly one of 'videos' or 'bytes'"),
        ({"size": 3}, "unknown key 'size'"),
        ({"bytes": "4XB"}, "unknown unit 'XB'"),
        ({"bytes": "0.5B"}, "not a whole number of bytes"),
        ({"bytes": "0MB"}, "must be positive"),
        ({"bytes": "lots"}, "budget bytes: expected a byte count"),
        ({"bytes": True}, "budget bytes: expected a byte count"),
        ({"videos": 0}, "budget videos: expected a positive integer"),
        ({"videos": "60"}, "budget videos: expected a positive integer"),
        ({"videos": 6, "count_decoders": "yes"}, "budget count_decoders"),
        ([60], "budget: expected a mapping"),
    ],
)
def test_parse_errors_name_the_key(spec, fragment):
    with pytest.raises(DataError, match=fragment.replace("(", r"\(")):
        Budget.parse(spec)


def test_parse_bytes_and_format_bytes():
    assert parse_bytes(".5KiB") == 512
    assert format_bytes(12_345) == "12.3 KB"
    assert format_bytes(999) == "999 B"
    assert format_bytes(4_200_000) == "4.2 MB"


def test_sixty_videos_over_ten_tasks_split_equally_and_only_shrink():
    budget = Budget(videos=60)
    assert [budget.video_quota(rank, 7) for rank in range(7)] == [9, 9, 9, 9, 8, 8, 8]
    previous = {}
    for seen in range(1, 11):
        quotas = [budget.video_quota(rank, seen) for rank in range(seen)]
        assert sum(quotas) == 60
        assert set(quotas) <= {60 // seen, -(-60 // seen)}
        assert all(quotas[rank] <= previous.get(rank, 60) for rank in range(seen))
        previous = dict(enumerate(quotas))


def test_video_quota_never_grows_for_any_budget():
    for total in range(1, 40):
        budget = Budget(videos=total)
        for seen in range(1, 15):
            for rank in range(seen):
                assert budget.video_quota(rank, seen + 1) <= budget.video_quota(rank, seen)


def test_byte_quota_subtracts_fixed_costs_only_when_counted():
    assert Budget(bytes=1000).byte_quota(3, 100) == 300
    assert Budget(bytes=1000, count_decoders=False).byte_quota(3, 100) == 333
    assert Budget(bytes=1000).byte_quota(2, 1100) == -50
    assert Budget(videos=6).byte_quota(2, 0) is None
    assert Budget(bytes=1000).video_quota(0, 2) is None


def test_fit_videos_is_greedy_in_rank_order_and_skips_what_does_not_fit():
    assert fit_videos([5, 4, 3], None, 8) == [0, 2]
    assert fit_videos([5, 4, 3], None, 9) == [0, 1]
    assert fit_videos([5, 4, 3], 1, None) == [0]
    assert fit_videos([5, 4, 3], None, None) == [0, 1, 2]
    assert fit_videos([9, 9], 5, 8) == []
