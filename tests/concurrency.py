"""Helpers for tests that race real requests: each thread has its own database connection (closed at the end)."""

import datetime as dt
import io
import itertools
import threading
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection, connections

from tests import factories
from tests.helpers import ApiClient


def race(jobs: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run every job in its own thread, all released at once by a barrier; returns their results in order
    (an exception a job raised is returned in its place)."""
    start = threading.Barrier(len(jobs), timeout=timeout)
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            start.wait()
            results[index] = job()
        except Exception as exc:  # reported to the test, which asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def assert_caches_exact() -> None:
    """The trigger-kept tables (appointment item cache, status counts, notification counters) equal a recount."""
    for command in ("verify_appointment_caches", "verify_notification_counters"):
        out = io.StringIO()
        call_command(command, stdout=out)  # raises CommandError on any difference


def run_in_threads(jobs) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # collected and asserted on in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def overlapping_group_bookings(rounds: int, width: int) -> dict[str, int]:
    """`width` operators book group appointments at once, the same therapists listed in different orders (the
    pattern that deadlocked on staff_booking_no_overlap and the status-count upsert); returns status -> count."""
    day = dt.date.today() + dt.timedelta(days=5)
    operators = [factories.OperatorFactory() for _ in range(width)]
    therapists = [factories.TherapistFactory() for _ in range(3)]
    drivers = [factories.DriverFactory() for _ in range(2)]
    customer = factories.ClientFactory()
    service = factories.ServiceFactory(name="Shiatsu")
    clients = [ApiClient(user=op) for op in operators]
    orders = list(itertools.permutations([t.id for t in therapists], 2))
    statuses: dict[str, int] = {}
    for r in range(rounds):
        start = dt.time(6 + r % 14, 0)

        def book(i: int, r: int = r, start: dt.time = start) -> int:
            first, *others = orders[(i + r) % len(orders)]
            body = {
                "client": customer.id,
                "services": [service.id],
                "therapist": first,
                "therapists": others,
                "driver": drivers[i % 2].id,
                "date": str(day + dt.timedelta(days=r // 14)),
                "start_time": f"{start:%H}:{15 * (i % 3):02d}",
                "end_time": f"{start.hour + 1:02d}:00",
                "location": "Somewhere 1",
            }
            return clients[i].post("/api/scheduling/appointments/", body).status_code

        for result in race([lambda i=i: book(i) for i in range(width)]):
            key = str(result) if isinstance(result, int) else type(result).__name__
            statuses[key] = statuses.get(key, 0) + 1
    return statuses
