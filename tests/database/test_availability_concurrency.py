import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection

from scheduling.errors import Conflict
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

    first_check = threading.local()

    def check_then_wait(*args, **kwargs):
        found = original_check(*args, **kwargs)
        if not getattr(first_check, "done", False):  # a retried attempt (after a deadlock) does not wait again
            first_check.done = True
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
        except Conflict:  # a deadlock between the two made the loser run again, and its check saw the winner
            outcomes.append("refused by the check on retry")
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
    assert len(outcomes) == 2 and outcomes.count("created") == 1
    assert {"availability_no_overlap", "refused by the check on retry"} >= set(outcomes) - {"created"}
    assert Availability.objects.count() == 1
