"""Reads of the report_* views (docs/reports.md): one query per report, filtered by date window and staff/service.

Each function returns plain dict rows in the view's column order, ready for JSON or CSV."""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Model
from django.utils import timezone

from scheduling.errors import BadRequest
from scheduling.models import (
    DriverWorkloadDaily,
    DriverWorkloadWeekly,
    FunnelDaily,
    RevenueDaily,
    ServicePopularityMonthly,
    TherapistWorkloadDaily,
    TherapistWorkloadWeekly,
    User,
)
from scheduling.services import permissions

DEFAULT_SPAN_DAYS = 30
MAX_SPAN_DAYS = 400

Period = Literal["day", "week"]


@dataclass(frozen=True)
class ReportRows:
    """A report's rows as dicts, and its columns in the view's order (the CSV header)."""

    columns: list[str]
    rows: list[dict]


@dataclass(frozen=True)
class DateSpan:
    """An inclusive range of appointment dates."""

    date_after: dt.date
    date_before: dt.date


def report_window(date_after: dt.date | None, date_before: dt.date | None, *, today: dt.date | None = None) -> DateSpan:
    """Both bounds inclusive. Neither given: the last 30 days up to today; one given: 30 days from/to it."""
    span = dt.timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if date_after is None and date_before is None:
        date_before = today or timezone.localdate()
    if date_after is None:
        date_after = date_before - span
    if date_before is None:
        date_before = date_after + span
    if date_after > date_before:
        raise BadRequest(
            f"date_after ({date_after}) must not be later than date_before ({date_before}).",
            errors={"date_after": ["must not be later than date_before"]},
        )
    days = (date_before - date_after).days + 1
    if days > MAX_SPAN_DAYS:
        raise BadRequest(
            f"The date range covers {days} days; at most {MAX_SPAN_DAYS} are allowed.",
            errors={"date_before": [f"at most {MAX_SPAN_DAYS} days after date_after"]},
        )
    return DateSpan(date_after, date_before)


def report_window_for(user: User, date_after: dt.date | None, date_before: dt.date | None) -> DateSpan:
    """Where every report starts: reports are for operators (a 403 before the dates are judged), then the
    window of report_window."""
    permissions.require(user, permissions.READ_REPORTS)
    return report_window(date_after, date_before)


def _columns(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _rows(model: type[Model], order_by: tuple[str, ...], **filters) -> ReportRows:
    filters = {k: v for k, v in filters.items() if v is not None}
    columns = _columns(model)
    return ReportRows(columns, list(model.objects.filter(**filters).order_by(*order_by).values(*columns)))


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def revenue_daily(window: DateSpan) -> ReportRows:
    return _rows(RevenueDaily, ("date",), date__range=(window.date_after, window.date_before))


def therapist_workload(window: DateSpan, period: Period = "day", therapist: int | None = None) -> ReportRows:
    """period=week: the whole ISO weeks (Monday starts) that overlap the window."""
    if period == "week":
        start = _week_start(window.date_after)
        return _rows(
            TherapistWorkloadWeekly,
            ("week_start", "therapist_id"),
            week_start__range=(start, window.date_before),
            therapist_id=therapist,
        )
    return _rows(
        TherapistWorkloadDaily,
        ("date", "therapist_id"),
        date__range=(window.date_after, window.date_before),
        therapist_id=therapist,
    )


def driver_workload(window: DateSpan, period: Period = "day", driver: int | None = None) -> ReportRows:
    """period=week: the whole ISO weeks (Monday starts) that overlap the window."""
    if period == "week":
        start = _week_start(window.date_after)
        return _rows(
            DriverWorkloadWeekly,
            ("week_start", "driver_id"),
            week_start__range=(start, window.date_before),
            driver_id=driver,
        )
    return _rows(
        DriverWorkloadDaily,
        ("date", "driver_id"),
        date__range=(window.date_after, window.date_before),
        driver_id=driver,
    )


def service_popularity(window: DateSpan, service: int | None = None) -> ReportRows:
    """The whole calendar months that overlap the window."""
    return _rows(
        ServicePopularityMonthly,
        ("month", "-bookings", "service_name"),
        month__range=(window.date_after.replace(day=1), window.date_before),
        service_id=service,
    )


def funnel_daily(window: DateSpan) -> ReportRows:
    return _rows(FunnelDaily, ("date",), date__range=(window.date_after, window.date_before))
