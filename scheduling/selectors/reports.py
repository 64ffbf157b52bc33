"""Reads of the reports (docs/reports.md): the report_* views' rows, filtered by date window and staff/service.

The rows come from the daily roll-up tables (scheduling/models/rollups.py), which hold each daily view's own rows:
a report reads pre-aggregated days (weeks and months are sums of them), so a 30-day report costs the same with
60 days of history or two years. In the same query it asks whether a day of its range was marked dirty by a
write since; if so, those days are first recounted from the views, then read again. Each function returns
plain dict rows in the view's column order, ready for JSON or CSV."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import orjson
from django.db import OperationalError, connection, transaction
from django.db.models import DecimalField, Model
from django.utils import timezone

from scheduling.errors import BadRequest
from scheduling.models import (
    DriverDayRollup,
    DriverWorkloadDaily,
    DriverWorkloadWeekly,
    FunnelDaily,
    FunnelDayRollup,
    RevenueDaily,
    RevenueDayRollup,
    ServiceDayRollup,
    ServicePopularityMonthly,
    TherapistDayRollup,
    TherapistWorkloadDaily,
    TherapistWorkloadWeekly,
    User,
)
from scheduling.models.rollups import DIRTY_TABLE, ROLLUPS
from scheduling.selectors.rendered import ITEMS_ARRAY
from scheduling.services import permissions

DEFAULT_SPAN_DAYS = 30
MAX_SPAN_DAYS = 400

Period = Literal["day", "week"]


@dataclass(frozen=True)
class ReportRows:
    """A report's rows as dicts, and its columns in the view's order (the CSV header); or, when read as JSON
    (`json_fields`), the rows' JSON array as PostgreSQL rendered it and their number."""

    columns: list[str]
    rows: list[dict]
    items: orjson.Fragment | None = None
    count: int | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.count is None else self.count


# The JSON form of a report's rows: each field's name in order and its kind: "money" (exact, rendered as text,
# "500.00", as the API's renderer writes a Decimal), "float" (1.0 stays 1.0, as Python writes it; PostgreSQL would
# write 1) or "" (as PostgreSQL writes it). A field the report's view lacks is null (a weekly workload row's `date`).
JsonFields = Sequence[tuple[str, str]]
JSON_VALUE = {
    "money": 'r."{0}"::text',
    "float": 'CASE WHEN r."{0}" = trunc(r."{0}") THEN to_json(r."{0}"::numeric(30, 1)) ELSE to_json(r."{0}") END',
    "": 'r."{0}"',
}


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


def columns_of(model: type[Model]) -> list[str]:
    """The model's columns in order (a report view's CSV header; a roll-up's copy list)."""
    return [f.attname for f in model._meta.concrete_fields]


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


# ------------------------------------------------------------------ keeping the roll-ups fresh

REFRESH_LOCK = 0x5EED_0016  # pg_advisory_xact_lock key: one refresh at a time (two would insert the same days)
REFRESH_LOCK_TIMEOUT = "200ms"  # a refresh never waits long on a writer; it reads the views instead


def refresh_rollups(first: dt.date, last: dt.date) -> bool:
    """Recount every dirty day in [first, last] from the daily views into the roll-ups. Returns False when a
    writer or another refresh held a lock for longer than REFRESH_LOCK_TIMEOUT (nothing was changed then)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{REFRESH_LOCK_TIMEOUT}'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            # A writer's mark and its data commit together: taking the mark (after waiting for its row lock)
            # means the recount below, a later statement with a newer snapshot, sees the data.
            cursor.execute(f"DELETE FROM {DIRTY_TABLE} WHERE date BETWEEN %s AND %s RETURNING date", [first, last])
            days = [row[0] for row in cursor.fetchall()]
            if days:
                for model, view in ROLLUPS:
                    table = model._meta.db_table
                    columns = ", ".join(f'"{c}"' for c in columns_of(model))
                    cursor.execute(f"DELETE FROM {table} WHERE date = ANY(%s)", [days])
                    cursor.execute(
                        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {view} WHERE date = ANY(%s)", [days]
                    )
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        return False
    return True


# ------------------------------------------------------------------ reading a report


@dataclass(frozen=True)
class _Report:
    view: type[Model]  # the report_* view whose columns and meaning the report has
    rollup: type[Model]  # the roll-up of its days
    order: tuple[str, ...]
    period: tuple[str, str] | None = None  # (column, SQL of the period's first day from `date`) to sum days into


def _is_key(name: str) -> bool:
    return name in ("date", "week_start", "month") or name.endswith(("_id", "_name", "_username"))


def _select_sql(report: _Report) -> tuple[str, str]:
    """The select list in the view's column order, and the GROUP BY clause ("" for a daily report)."""
    if report.period is None:
        return ", ".join(f'"{c}"' for c in columns_of(report.view)), ""
    bucket, bucket_sql = report.period
    select, group = [], []
    for field in report.view._meta.concrete_fields:
        name = field.attname
        if name == bucket:
            select.append(f'{bucket_sql} AS "{name}"')
            group.append(bucket_sql)
        elif _is_key(name):
            select.append(f'"{name}"')
            group.append(f'"{name}"')
        else:
            cast = "numeric(12, 2)" if isinstance(field, DecimalField) else "integer"
            select.append(f'sum("{name}")::{cast} AS "{name}"')
    return ", ".join(select), f" GROUP BY {', '.join(group)}"


def _order_sql(order: tuple[str, ...]) -> str:
    return ", ".join(f'r."{o[1:]}" DESC' if o.startswith("-") else f'r."{o}"' for o in order)


def _json_sql(report: _Report, rows_sql: str, json_fields: JsonFields) -> str:
    """The count and the JSON array of `rows_sql`'s rows (aliased r), in the report's order, in `json_fields`."""
    have = set(columns_of(report.view))
    fields = ", ".join(
        f'{JSON_VALUE[kind].format(name) if name in have else "NULL"} AS "{name}"' for name, kind in json_fields
    )
    return (
        f"SELECT count(*), {ITEMS_ARRAY} FROM (SELECT row_to_json(x) AS item FROM"
        f" (SELECT {fields} FROM ({rows_sql}) AS r ORDER BY {_order_sql(report.order)}) AS x) AS p"
    )


def _read(
    report: _Report,
    first: dt.date,
    last: dt.date,
    key: tuple[str, int | None] | None = None,
    json_fields: JsonFields | None = None,
) -> ReportRows:
    """The report's rows over the days [first, last] (one query while none of them is dirty), as dicts or, with
    `json_fields`, as the JSON array PostgreSQL renders."""
    select, group = _select_sql(report)
    where, params = "date BETWEEN %s AND %s", [first, last]
    if key is not None and key[1] is not None:
        where += f' AND "{key[0]}" = %s'
        params.append(key[1])
    rows_sql = f"SELECT {select} FROM {report.rollup._meta.db_table} WHERE {where}{group}"
    dirty = f"SELECT EXISTS (SELECT 1 FROM {DIRTY_TABLE} WHERE date BETWEEN %s AND %s) AS dirty"
    if json_fields is not None:
        sql = f"SELECT d.dirty, j.* FROM ({dirty}) AS d, ({_json_sql(report, rows_sql, json_fields)}) AS j"
    else:
        order = _order_sql(report.order)
        sql = f"SELECT d.dirty, r.* FROM ({dirty}) AS d LEFT JOIN ({rows_sql}) AS r ON true ORDER BY {order}"
    for attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [first, last, *params])
            columns = [c.name for c in cursor.description[1:]]
            rows = cursor.fetchall()
        if not rows[0][0] or attempt:
            break
        if not refresh_rollups(first, last):
            return _from_view(report, first, last, key)
    if json_fields is not None:
        (_, count, items), columns = rows[0], columns_of(report.view)
        return ReportRows(columns, [], items=orjson.Fragment(items), count=count)
    found = [dict(zip(columns, row[1:], strict=True)) for row in rows if any(v is not None for v in row[1:])]
    return ReportRows(columns, found)


def _from_view(report: _Report, first: dt.date, last: dt.date, key: tuple[str, int | None] | None) -> ReportRows:
    """The same rows straight from the view (when a refresh could not take its locks in time)."""
    bucket = report.period[0] if report.period else "date"
    filters = {f"{bucket}__range": (first, last)}
    if key is not None and key[1] is not None:
        filters[key[0]] = key[1]
    columns = columns_of(report.view)
    rows = report.view.objects.filter(**filters).order_by(*report.order).values(*columns)
    return ReportRows(columns, list(rows))


WEEK_SQL = "date_trunc('week', date)::date"
REVENUE = _Report(RevenueDaily, RevenueDayRollup, ("date",))
FUNNEL = _Report(FunnelDaily, FunnelDayRollup, ("date",))
THERAPIST_DAILY = _Report(TherapistWorkloadDaily, TherapistDayRollup, ("date", "therapist_id"))
THERAPIST_WEEKLY = _Report(
    TherapistWorkloadWeekly, TherapistDayRollup, ("week_start", "therapist_id"), ("week_start", WEEK_SQL)
)
DRIVER_DAILY = _Report(DriverWorkloadDaily, DriverDayRollup, ("date", "driver_id"))
DRIVER_WEEKLY = _Report(DriverWorkloadWeekly, DriverDayRollup, ("week_start", "driver_id"), ("week_start", WEEK_SQL))
SERVICES_MONTHLY = _Report(
    ServicePopularityMonthly,
    ServiceDayRollup,
    ("month", "-bookings", "service_name"),
    ("month", "date_trunc('month', date)::date"),
)


def revenue_daily(window: DateSpan, json_fields: JsonFields | None = None) -> ReportRows:
    return _read(REVENUE, window.date_after, window.date_before, json_fields=json_fields)


def therapist_workload(
    window: DateSpan, period: Period = "day", therapist: int | None = None, json_fields: JsonFields | None = None
) -> ReportRows:
    """period=week: the whole ISO weeks (Monday starts) that overlap the window."""
    key = ("therapist_id", therapist)
    if period == "week":
        last = _week_start(window.date_before) + dt.timedelta(days=6)
        return _read(THERAPIST_WEEKLY, _week_start(window.date_after), last, key, json_fields)
    return _read(THERAPIST_DAILY, window.date_after, window.date_before, key, json_fields)


def driver_workload(
    window: DateSpan, period: Period = "day", driver: int | None = None, json_fields: JsonFields | None = None
) -> ReportRows:
    """period=week: the whole ISO weeks (Monday starts) that overlap the window."""
    key = ("driver_id", driver)
    if period == "week":
        last = _week_start(window.date_before) + dt.timedelta(days=6)
        return _read(DRIVER_WEEKLY, _week_start(window.date_after), last, key, json_fields)
    return _read(DRIVER_DAILY, window.date_after, window.date_before, key, json_fields)


def service_popularity(
    window: DateSpan, service: int | None = None, json_fields: JsonFields | None = None
) -> ReportRows:
    """The whole calendar months that overlap the window."""
    first, last = window.date_after.replace(day=1), _month_end(window.date_before)
    return _read(SERVICES_MONTHLY, first, last, ("service_id", service), json_fields)


def funnel_daily(window: DateSpan, json_fields: JsonFields | None = None) -> ReportRows:
    return _read(FUNNEL, window.date_after, window.date_before, json_fields=json_fields)
