"""A fixed clock for the attendance tests: `at("13:15:00")` is that local time on DAY, and the `clock` fixture
sets the moment every attendance operation reads (scheduling.services.attendance.now)."""

import datetime as dt

import pytest
from django.utils import timezone

from scheduling.services import attendance as services

DAY = dt.date(2030, 4, 8)


def at(clock: str, day: dt.date = DAY) -> dt.datetime:
    """`clock` (HH:MM[:SS[.ffffff]]) on `day` in the business's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.fromisoformat(clock)))


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch):
    """clock("13:15:00"[, day]) sets the moment every attendance operation reads; it starts at 09:00 on DAY."""

    def set_clock(value: str, day: dt.date = DAY) -> None:
        moment = at(value, day)
        monkeypatch.setattr(services, "now", lambda: moment)

    set_clock("09:00")
    return set_clock
