import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection

from scheduling.models import Availability
from scheduling.selectors import availability as selectors
from scheduling.services import availability as services
from tests import factories

DAY = dt.date(2030, 3, 1)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_writers_racing_for_overlapping_slots_leave_exactly_one(monkeypatch):
    therapist = factories.TherapistFactory()
    both_checked = threading.Barrier(2, timeout=10)
    original_check = selectors.overlapping_slots

    def check_then_wait(*args, **kwargs):
        found = original_check(*args, **kwargs)
        both_checked.wait()  # both writers have seen "no overlap" before either inserts
        return found

    monkeypatch.setattr(services, "overlapping_slots", check_then_wait)
    outcomes: list[str] = []

    def write(start: dt.time, end: dt.time) -> None:
        try:
            services.create_slot(therapist, user=None, date=DAY, start_time=start, end_time=end)
            outcomes.append("created")
        except IntegrityError as exc:
            outcomes.append(exc.__cause__.diag.constraint_name)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(dt.time(22), dt.time(2))),
        threading.Thread(target=write, args=(dt.time(23), dt.time(1))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["availability_no_overlap", "created"]
    assert Availability.objects.count() == 1
