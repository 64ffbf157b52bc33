"""The concurrency regressions of the main suite, at a larger scale (issue 14, items 2 and 3)."""

import pytest

from tests.cache_race import concurrent_edits, seed
from tests.concurrency import assert_caches_exact, overlapping_group_bookings


@pytest.mark.django_db(transaction=True)
def test_many_racing_overlapping_bookings_give_no_server_error():
    statuses = overlapping_group_bookings(rounds=24, width=8)  # 192 requests, 8 at a time
    print(f"\noverlapping bookings: {statuses}")
    assert set(statuses) <= {"201", "400", "409"}, statuses
    assert_caches_exact()


@pytest.mark.django_db(transaction=True)
def test_long_randomized_concurrent_edits_leave_every_cache_exact():
    ids = seed(appointments=12)
    assert concurrent_edits(ids, writers=6, edits_each=150, seed=7) == []
    assert_caches_exact()
