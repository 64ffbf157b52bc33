"""Helpers for tests that race real requests: each thread has its own database connection (closed at the end)."""

import io
import threading
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection


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
