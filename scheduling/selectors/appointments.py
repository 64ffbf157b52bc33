"""Reads of appointments. Every appointment endpoint starts from `appointments_visible_to(user)` (SPEC section 5).

The rows come from the `appointment_list_rows` view, whose `item` column is the finished API object as JSON:
a page is one SQL statement that returns the page's JSON array (and its count) ready to send.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import DateField, F, OuterRef, Q, QuerySet, TimeField, Value
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema

from scheduling.errors import BadRequest, NotFound
from scheduling.lifecycle import AppointmentStatus
from scheduling.models import (
    Appointment,
    AppointmentListRow,
    AppointmentStatusCount,
    AppointmentStatusTotal,
    AppointmentTherapist,
    Client,
    PaymentStatus,
    Role,
    StaffBooking,
    User,
)
from scheduling.models.bookings import WallClockRange
from scheduling.selectors import rendered
from scheduling.selectors.search import search_q
from scheduling.services.permissions import sees_every_appointment


def visibility(user: User) -> Q:
    """Operators see all; a therapist what they serve (main or group therapist); a driver what they drive."""
    if user.role == Role.OPERATOR:
        return Q()
    if user.role == Role.THERAPIST:
        # `id = ANY(ARRAY(...))` rather than `id IN (...)`: both sides of the OR are then index conditions and
        # PostgreSQL ORs two bitmap index scans, where `therapist_id = X OR id IN (...)` scanned every
        # appointment. A filter, not a join: a therapist on a group booking still gets each appointment once.
        group = AppointmentTherapist.objects.filter(therapist_id=user.id).values("appointment_id")
        return Q(therapist_id=user.id) | Q(id__any_of=group)
    if user.role == Role.DRIVER:
        return Q(driver_id=user.id)
    return Q(pk__in=[])


def appointment_rows_visible_to(user: User) -> QuerySet[Appointment]:
    """The same scope on the appointment table itself (cheaper where only ids are needed: the live channel)."""
    return Appointment.objects.filter(visibility(user))


def appointments_visible_to(user: User) -> QuerySet[AppointmentListRow]:
    """The appointments this user may see, as API rows (unordered; callers order)."""
    return AppointmentListRow.objects.filter(visibility(user))


def appointment_for_update(user: User, appointment_id: int) -> Appointment:
    """The appointment row, locked for the rest of the transaction, if the user may see it; else 404. Its group
    therapists' ids (in link order) come in the same query, as `group_therapist_ids`."""
    visible = appointments_visible_to(user).filter(id=appointment_id).values("id")
    links = AppointmentTherapist.objects.filter(appointment_id=OuterRef("pk")).order_by("id").values("therapist_id")
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(id__in=visible)
        .annotate(group_therapist_ids=ArraySubquery(links))
        .first()
    )
    if appointment is None:
        raise NotFound(f"Appointment {appointment_id} not found.")
    return appointment


Ordering = Literal["date", "-date", "created_at", "-created_at", "status", "-status", "id", "-id"]
ORDERINGS = {
    "date": ("date", "start_time", "id"),
    "-date": ("-date", "-start_time", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "status": ("status", "date", "start_time", "id"),
    "-status": ("-status", "-date", "-start_time", "-id"),
    "id": ("id",),
    "-id": ("-id",),
}
CHRONOLOGICAL = ORDERINGS["date"]
CLIENT_NAME_FIELDS = ("first_name", "last_name")
# `search`: every word in the client's name or phone, the location or the notes (the shared search_q rule)
CLIENT_SEARCH_FIELDS = (*CLIENT_NAME_FIELDS, "phone_number")
APPOINTMENT_SEARCH_FIELDS = ("location", "notes")
# The filters the counter tables can answer: a count by status and date needs no appointment row.
COUNTER_FILTERS = {"status", "status__in", "date", "date_after", "date_before", "ordering"}


def _clients(text: str, fields: tuple[str, ...]) -> Q:
    # Client matches as a semi-join on the small clients table, not a join per appointment row.
    return Q(client_id__in=Client.objects.filter(search_q(text, fields)).values("id"))


# The query parameters of the appointment lists. Each field filters by its own name, its FilterLookup or its
# filter_<name> method; `ordering` orders (appointment_list). (A comment, not a docstring: OpenAPI would show it.)
class AppointmentFilters(FilterSchema):
    status: AppointmentStatus | None = None
    status__in: str | None = Field(None, description="comma-separated statuses")
    payment_status: PaymentStatus | None = None
    therapist: int | None = Field(None, description="main or group therapist id")
    driver: Annotated[int | None, FilterLookup("driver_id")] = None
    operator: Annotated[int | None, FilterLookup("operator_id")] = None
    date: dt.date | None = None
    date_after: Annotated[dt.date | None, FilterLookup("date__gte")] = Field(None, description="on or after")
    date_before: Annotated[dt.date | None, FilterLookup("date__lte")] = Field(None, description="on or before")
    client_name: str | None = Field(None, max_length=100)
    search: str | None = Field(None, max_length=100, description="client name or phone, location, notes")
    ordering: Ordering = Field("-created_at", description="default: newest booking first")

    @cached_property
    def listed_statuses(self) -> list[str] | None:
        """`status__in` as a list of known statuses (None when not given); a 400 names any unknown one."""
        if not self.status__in:
            return None
        wanted = [s.strip() for s in self.status__in.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in AppointmentStatus.values]
        if unknown:
            raise BadRequest(
                f"Invalid input. status__in: unknown status {', '.join(unknown)};"
                f" allowed: {', '.join(AppointmentStatus.values)}.",
                errors={"status__in": [f"Unknown status: {', '.join(unknown)}."]},
            )
        if not wanted:
            raise BadRequest(
                "Invalid input. status__in: give at least one status.", errors={"status__in": ["Empty list."]}
            )
        return wanted

    def filter_status__in(self, value: str | None) -> Q:
        return Q() if self.listed_statuses is None else Q(status__in=self.listed_statuses)

    def filter_therapist(self, value: int | None) -> Q:
        group = AppointmentTherapist.objects.filter(therapist_id=value).values("appointment_id")
        return Q(therapist_id=value) | Q(id__in=group)

    def filter_client_name(self, value: str | None) -> Q:
        return _clients(value, CLIENT_NAME_FIELDS) if value else Q()

    def filter_search(self, value: str | None) -> Q:
        condition = Q()
        for term in (value or "").split():
            condition &= _clients(term, CLIENT_SEARCH_FIELDS) | search_q(term, APPOINTMENT_SEARCH_FIELDS)
        return condition

    def filter_ordering(self, value: str) -> Q:
        return Q()

    def unfiltered(self) -> bool:
        """No filter given but the ordering (the list as the dashboards poll it)."""
        return all(getattr(self, name) in (None, "") for name in FILTER_NAMES)

    def counter_rows(
        self, statuses: Iterable[str] | None = None
    ) -> QuerySet[AppointmentStatusCount] | QuerySet[AppointmentStatusTotal] | None:
        """The counter rows that count what these filters select, when they filter by status and dates only
        (None otherwise, or when the statuses contradict each other: an IN () cannot be compiled)."""
        used = {name for name, value in self.model_dump(exclude={"ordering"}).items() if value not in (None, "")}
        if not used <= COUNTER_FILTERS:
            return None
        wanted = set(statuses) if statuses is not None else set(AppointmentStatus.values)
        if self.status is not None:
            wanted &= {self.status}
        if self.listed_statuses is not None:
            wanted &= set(self.listed_statuses)
        if not wanted:
            return None
        return counter_rows(sorted(wanted), self.date, self.date_after, self.date_before)


FILTER_NAMES = tuple(name for name in AppointmentFilters.model_fields if name != "ordering")


def appointment_list(
    user: User, filters: AppointmentFilters, statuses: Iterable[str] | None = None, extra: Q | None = None
) -> QuerySet[AppointmentListRow]:
    """The appointments the user sees that match the filters, in the filters' order; with `statuses`, only
    those (or those matching `extra` too)."""
    rows = filters.filter(appointments_visible_to(user)).order_by(*ORDERINGS[filters.ordering])
    if statuses is None:
        return rows
    condition = Q(status__in=statuses)
    if extra is not None:
        condition |= extra
    return rows.filter(condition)


def appointment_page(
    user: User,
    filters: AppointmentFilters,
    page: int,
    page_size: int,
    statuses: Iterable[str] | None = None,
    extra: Q | None = None,
) -> tuple[int, bytes]:
    """(count, JSON array of the page's items) of appointment_list, in one query. For an operator whose filters
    the counter tables can answer, the count is read from them instead of counting appointments."""
    if extra is None and filters.unfiltered() and (statuses is None or statuses):
        return _unfiltered_page(user, filters, page, page_size, statuses)
    rows = appointment_list(user, filters, statuses, extra)
    counters = None
    if extra is None and sees_every_appointment(user):
        counters = filters.counter_rows(statuses)
    return page_json(rows, page, page_size, counters)


def _unfiltered_page(
    user: User, filters: AppointmentFilters, page: int, page_size: int, statuses: Iterable[str] | None
) -> tuple[int, bytes]:
    """page_json for the lists every dashboard polls as they are (no filter but the ordering, a board's statuses):
    the same statements, compiled once per scope, ordering and statuses (rendered.compiled_sql) instead of on
    every request (the ORM's compiler and Ninja's FilterSchema cost as much as the query)."""
    every = sees_every_appointment(user)
    listed = None if statuses is None else tuple(statuses)
    key = ("appointment page", None if every else user.pk, filters.ordering, listed)

    def count() -> QuerySet:
        if every:
            return filters.counter_rows(listed).values("count")
        return appointment_list(user, filters, listed).order_by().values("id")

    rows_sql, rows_params = rendered.compiled_sql(key, lambda: appointment_list(user, filters, listed).values("item"))
    count_sql, count_params = rendered.compiled_sql((*key, "count"), count)
    total = "coalesce(sum(c.count), 0)::integer" if every else "count(*)"
    row = _fetch_one(
        f"SELECT (SELECT {total} FROM ({count_sql}) AS c),"
        f" (SELECT {rendered.ITEMS_ARRAY} FROM ({rows_sql} LIMIT %s OFFSET %s) AS p)",
        (*count_params, *rows_params, page_size, (page - 1) * page_size),
    )
    return row[0], row[1].encode()


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        # Django compiles no SQL for a filter no row can match (an id past the bigint range): keep the select
        # list and its types, and match nothing.
        query = queryset.query.clone()
        query.where = WhereNode()
        query.add_extra(None, None, ["false"], None, None, None)
        sql, params = query.sql_with_params()
    return sql, tuple(params)


def _fetch_one(sql: str, params: Iterable) -> tuple:
    """One row, on the database the router picks for reading appointments (a replica when configured)."""
    return rendered.fetch_one(Appointment, sql, params)


def counter_rows(
    statuses: Iterable[str] | None = None,
    date: dt.date | None = None,
    date_after: dt.date | None = None,
    date_before: dt.date | None = None,
) -> QuerySet[AppointmentStatusCount] | QuerySet[AppointmentStatusTotal]:
    """The counter rows whose sum is the number of appointments with these statuses and dates (operators).
    With no date bound they are the per-status totals: a read of constant size however long the history."""
    if date is None and date_after is None and date_before is None:
        totals = AppointmentStatusTotal.objects.all()
        return totals if statuses is None else totals.filter(status__in=list(statuses))
    counters = AppointmentStatusCount.objects.all()
    if statuses is not None:
        counters = counters.filter(status__in=list(statuses))
    if date is not None:
        counters = counters.filter(date=date)
    if date_after is not None:
        counters = counters.filter(date__gte=date_after)
    if date_before is not None:
        counters = counters.filter(date__lte=date_before)
    return counters


def page_json(
    rows: QuerySet[AppointmentListRow],
    page: int,
    page_size: int,
    counters: QuerySet[AppointmentStatusCount] | QuerySet[AppointmentStatusTotal] | None = None,
) -> tuple[int, bytes]:
    """(count, JSON array of the page's items) in ONE query; the array keeps the queryset's order.
    With `counters` (an operator's list filtered by status and dates only) the count is their sum, read from
    the trigger-maintained counter table instead of counting appointments."""
    if counters is not None:
        inner, count_params = _sql(counters.values("count"))
        count_sql = f"SELECT coalesce(sum(c.count), 0)::integer FROM ({inner}) AS c"
    else:
        inner, count_params = _sql(rows.order_by().values("id"))
        count_sql = f"SELECT count(*) FROM ({inner}) AS c"
    offset = (page - 1) * page_size
    page_sql, page_params = _sql(rows.values("item")[offset : offset + page_size])
    count, items = _fetch_one(
        f"SELECT ({count_sql}), (SELECT {rendered.ITEMS_ARRAY} FROM ({page_sql}) AS p)",
        count_params + page_params,
    )
    return count, items.encode()


def array_json(rows: QuerySet[AppointmentListRow]) -> bytes:
    """The JSON array of all the items of `rows`, in one query."""
    sql, params = _sql(rows.values("item"))
    (items,) = _fetch_one(f"SELECT {rendered.ITEMS_ARRAY} FROM ({sql}) AS p", params)
    return items.encode()


def item_json(user: User | None, appointment_id: int) -> bytes:
    """One appointment as the API shows it, if the user may see it; else 404. One query.
    user=None only after an action the caller was just allowed to do (a driver who turned a pickup down no
    longer sees the appointment, yet gets the result of their action)."""
    rows = AppointmentListRow.objects.all() if user is None else appointments_visible_to(user)
    sql, params = _sql(rows.filter(id=appointment_id).values("item"))
    row = _fetch_one(f"SELECT r.item::text FROM ({sql}) AS r", params)
    if row is None:
        raise NotFound(f"Appointment {appointment_id} not found.")
    return row[0].encode()


STATUS_TOTALS_SQL = (
    f"SELECT status, sum(count)::integer FROM {AppointmentStatusTotal._meta.db_table}"
    " GROUP BY status HAVING sum(count) > 0"  # per status over its shards: one shard alone may be negative
)
STATUS_COUNTS_OF_DAY_SQL = (
    f"SELECT status, count FROM {AppointmentStatusCount._meta.db_table} WHERE date = %(date)s AND count > 0"
)


def status_counts(user: User, date: dt.date | None = None) -> dict[str, int]:
    """Appointments per status in the user's scope, one fixed statement. Operators read the trigger-maintained
    counters (the per-status totals, or one date's (date, status) rows); a therapist's or driver's own handful of
    rows is counted on the fly within their scope (`appointment_rows_visible_to`, compiled once per user)."""
    if user.role == Role.OPERATOR:
        sql = STATUS_TOTALS_SQL if date is None else STATUS_COUNTS_OF_DAY_SQL
        return dict(rendered.fetch_all(Appointment, sql, {"date": date}))
    scope, scope_params = rendered.scope_sql(appointment_rows_visible_to, user)
    sql = (
        f"SELECT a.status, count(*)::integer FROM {Appointment._meta.db_table} AS a"
        f" WHERE a.id IN ({scope}) AND (%s::date IS NULL OR a.date = %s) GROUP BY a.status"
    )
    return dict(rendered.fetch_all(Appointment, sql, [*scope_params, date, date]))


def overlapping_bookings(
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    *,
    staff_ids: Iterable[int] | None = None,
    exclude_appointment: int | None = None,
) -> QuerySet[StaffBooking]:
    """Bookings of active appointments that overlap the window (back-to-back does not overlap)."""
    window = WallClockRange(Value(date, DateField()), Value(start_time, TimeField()), Value(end_time, TimeField()))
    bookings = StaffBooking.objects.filter(period__overlap=window)
    if staff_ids is not None:
        bookings = bookings.filter(staff_id__in=list(staff_ids))
    if exclude_appointment is not None:
        bookings = bookings.exclude(appointment_id=exclude_appointment)
    return bookings


def conflicts(
    staff_ids: Iterable[int],
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    exclude_appointment: int | None = None,
) -> list[dict]:
    """Who of `staff_ids` is busy in the window and with which appointment (one query), for the 409 message."""
    bookings = overlapping_bookings(
        date, start_time, end_time, staff_ids=staff_ids, exclude_appointment=exclude_appointment
    )
    return list(
        bookings.order_by("staff_id", "period").values(
            "staff_id",
            "staff__username",
            "staff__first_name",
            "staff__last_name",
            "role",
            "appointment_id",
            "appointment__date",
            "appointment__start_time",
            "appointment__end_time",
        )
    )


def _free_drivers_now() -> QuerySet[User]:
    """Active drivers with no booking covering this moment and no pickup in hand."""
    now = timezone.localtime()
    wall_now = dt.datetime.combine(now.date(), now.time().replace(tzinfo=None), tzinfo=dt.UTC)
    busy_now = StaffBooking.objects.filter(role="driver", period__contains=wall_now).values("staff_id")
    on_pickup = Appointment.objects.filter(
        status__in=(AppointmentStatus.DRIVER_ASSIGNED_PICKUP, AppointmentStatus.RETURN_JOURNEY), driver_id__isnull=False
    ).values("driver_id")
    return User.objects.filter(role=Role.DRIVER, is_active=True).exclude(id__in=busy_now).exclude(id__in=on_pickup)


def free_driver_now() -> User | None:
    """The active driver who is free now and has waited longest (oldest last_available_at; never recorded comes
    last), locked so two simultaneous pickup requests cannot take the same driver. One query."""
    return (
        _free_drivers_now()
        .select_for_update(skip_locked=True)
        .order_by(F("last_available_at").asc(nulls_last=True), "id")
        .first()
    )


def driver_is_free_now(driver_id: int) -> bool:
    return _free_drivers_now().filter(id=driver_id).exists()


def total_price(appointment_id: int) -> Decimal:
    """The appointment's total price, from the appointment_totals view (totals are never computed in Python)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_price FROM appointment_totals WHERE appointment_id = %s", [appointment_id])
        row = cursor.fetchone()
    return row[0] if row else Decimal("0")


def items_json(ids: Iterable[int]) -> dict[int, str]:
    """Each existing appointment of `ids` as the API shows it (its JSON text), in one query: the live channel
    pushes the very object the REST endpoints return."""
    sql, params = _sql(AppointmentListRow.objects.filter(id__in=list(ids)).values("id", "item"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id, r.item::text FROM ({sql}) AS r", params)
        return dict(cursor.fetchall())
