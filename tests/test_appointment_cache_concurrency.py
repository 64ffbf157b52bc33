"""The appointment item cache stays exact under concurrent edits of everything it shows (issue 14, item 3)."""

import pytest

from tests.cache_race import concurrent_edits, seed
from tests.concurrency import assert_caches_exact


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_clients_staff_services_and_appointments_leave_the_cache_exact():
    ids = seed(appointments=6)
    assert concurrent_edits(ids, writers=4, edits_each=30, seed=1) == []
    assert_caches_exact()
