"""/api/scheduling/appointments/: lists, detail, booking, editing and the lifecycle actions (SPEC sections 4-6).

Every read starts from `appointments_visible_to(user)`. The appointment JSON is built by PostgreSQL (view
appointment_list_rows) and passed through untouched: a page costs one query after authentication.
"""

import datetime as dt
from collections.abc import Callable

import orjson
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from api.pagination import Page, PageParams, page_response
from api.schema_rendering import json_response
from api.schemas import Message
from api.schemas_appointments import (
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    AssignDriverIn,
    AutoCancelOut,
    PaymentIn,
    PickupIn,
    ReasonIn,
    RejectIn,
    ReviewIn,
    StatusCountsOut,
)
from scheduling import lifecycle
from scheduling.errors import BadRequest
from scheduling.models import AppointmentStatus
from scheduling.selectors import appointments as selectors
from scheduling.selectors.appointments import AppointmentFilters
from scheduling.services import appointments as services
from scheduling.services import permissions

router = Router(tags=["appointments"])

S = AppointmentStatus
STATUSES = tuple(S.values)  # Django's `values` builds a new list on every access
ERRORS = {400: Message, 403: Message, 404: Message, 409: Message, 422: Message}


def _json(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


@router.get("/", response={200: Page[AppointmentOut], **ERRORS}, summary="List appointments (paginated)")
def list_appointments(request, filters: Query[AppointmentFilters], pagination: Query[PageParams]):
    """Every filter narrows the caller's own scope (operators: all; therapists: theirs, also in a group; drivers:
    theirs). Unknown filter values are a 422, a page past the end a 404. The page is built by PostgreSQL in one query
    (view appointment_list_rows)."""
    count, items = selectors.appointment_page(request.auth, filters, pagination.page, pagination.page_size)
    return page_response(request, pagination, count, items)


def _status_page(statuses: tuple[str, ...], extra: Callable[[], Q] | None = None):
    def view(request, filters: Query[AppointmentFilters], pagination: Query[PageParams]):
        """The appointment list narrowed to this board's statuses, with the same filters, scope and page envelope as GET
        /api/scheduling/appointments/."""
        count, items = selectors.appointment_page(
            request.auth,
            filters,
            pagination.page,
            pagination.page_size,
            statuses,
            extra() if extra is not None else None,
        )
        return page_response(request, pagination, count, items)

    return view


def _overdue() -> Q:
    return Q(status=S.PENDING, response_deadline__lt=timezone.now())


for _path, _statuses, _extra, _summary in [
    ("pending", (S.PENDING,), None, "Pending appointments (waiting for confirmation)"),
    ("rejected", (S.REJECTED,), None, "Rejected appointments waiting for review"),
    ("awaiting_payment", (S.AWAITING_PAYMENT,), None, "Appointments waiting for payment verification"),
    ("timeout", (S.AUTO_CANCELLED,), _overdue, "Auto-cancelled, and pending past their response deadline"),
    ("active_sessions", lifecycle.ACTIVE_SESSIONS, None, "Appointments under way (started, not yet paid)"),
    ("pickup_requests", lifecycle.PICKUP_REQUESTS, None, "Pickups requested or assigned"),
]:
    router.add_api_operation(
        f"/{_path}/",
        ["GET"],
        _status_page(_statuses, _extra),
        response={200: Page[AppointmentOut], **ERRORS},
        summary=_summary,
        operation_id=f"appointments_{_path}",
    )


def _array(request: HttpRequest, date_from: dt.date, date_to: dt.date, statuses_excluded=()) -> HttpResponse:
    rows = selectors.appointments_visible_to(request.auth).filter(date__gte=date_from, date__lte=date_to)
    if statuses_excluded:
        rows = rows.exclude(status__in=statuses_excluded)
    return _json(selectors.array_json(rows.order_by(*selectors.CHRONOLOGICAL)))


@router.get("/today/", response={200: list[AppointmentOut], **ERRORS}, summary="Today's appointments (array)")
def today(request):
    """The caller's appointments of today (the business's local date), in chronological order, as a plain array."""
    day = timezone.localdate()
    return _array(request, day, day)


@router.get(
    "/upcoming/",
    response={200: list[AppointmentOut], **ERRORS},
    summary="The next 7 days from today, cancelled ones left out (array)",
)
def upcoming(request):
    """The caller's appointments from today to today + 7 days, cancelled ones left out, in chronological order, as a
    plain array."""
    day = timezone.localdate()
    return _array(request, day, day + dt.timedelta(days=7), (S.CANCELLED, S.AUTO_CANCELLED))


@router.get("/by_week/", response={200: list[AppointmentOut], **ERRORS}, summary="Seven days from week_start (array)")
def by_week(request, week_start: dt.date):
    """The caller's appointments of the seven days from week_start, in chronological order, as a plain array."""
    if week_start > dt.date.max - dt.timedelta(days=6):
        raise BadRequest(
            "Invalid input. week_start: the week must end by 9999-12-31.",
            errors={"week_start": ["The week must end by 9999-12-31."]},
        )
    return _array(request, week_start, week_start + dt.timedelta(days=6))


@router.get("/status_counts/", response={200: StatusCountsOut, **ERRORS}, summary="Appointments per status")
def status_counts(request, date: dt.date | None = None):
    """`{counts, total, date, source}`: operators read the (date, status) counter table the triggers keep (a primary-key
    lookup); therapists and drivers count their own rows."""
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(selectors.status_counts(request.auth, date))
    source = "counter_table" if permissions.sees_every_appointment(request.auth) else "live_count"
    return json_response({"counts": counts, "total": sum(counts.values()), "date": date, "source": source})


@router.post("/auto_cancel_overdue/", response={200: AutoCancelOut, **ERRORS}, summary="Auto-cancel overdue pending")
def auto_cancel_overdue(request):
    """Operators only. Every pending appointment past its response_deadline becomes auto_cancelled in one statement,
    with its notifications; answers how many and their ids. `manage.py auto_cancel_overdue` does the same from cron."""
    ids = services.auto_cancel_overdue_by(request.auth)
    return {"cancelled": len(ids), "ids": ids}


def _booking_data(data: AppointmentIn | AppointmentPatch) -> services.BookingData:
    given = data.model_fields_set - {"status"}
    return services.BookingData(**data.model_dump(exclude={"status"}), given=set(given))


@router.post("/", response={201: AppointmentOut, **ERRORS}, summary="Book an appointment (operator)")
def create_appointment(request, data: AppointmentIn):
    """Operators only. The booking starts pending with a 30-minute response deadline; end_time defaults to the start
    plus the services' total duration. A therapist or driver already busy then is a 400 whose field map names them
    (PostgreSQL's exclusion constraint decides, also under concurrent bookings)."""
    appointment = services.create_appointment(request.auth, _booking_data(data))
    return _json(selectors.item_json(request.auth, appointment.pk), status=201)


@router.get("/{int:appointment_id}/", response={200: AppointmentOut, **ERRORS}, summary="One appointment")
def get_appointment(request, appointment_id: int):
    """The appointment with its nested people, services, rejection and totals, if the caller may see it (else a 404)."""
    return _json(selectors.item_json(request.auth, appointment_id))


@router.put("/{int:appointment_id}/", response={200: AppointmentOut, **ERRORS}, summary="Replace (operator)")
def put_appointment(request, appointment_id: int, data: AppointmentIn):
    """Operators only, before the appointment is in progress: the booking is replaced, with the same checks as a new
    booking."""
    booking = _booking_data(data)
    booking.given |= {"therapist", "therapists", "driver"}
    services.update_appointment(request.auth, appointment_id, booking, partial=False)
    return _json(selectors.item_json(request.auth, appointment_id))


@router.patch(
    "/{int:appointment_id}/",
    response={200: AppointmentOut, **ERRORS},
    summary="Change (operator); with `status`, the lifecycle step leading there (its role)",
)
def patch_appointment(request, appointment_id: int, data: AppointmentPatch):
    """Operators change booking fields (the same checks as a booking). A body with `status` runs the lifecycle step that
    leads there instead, with that step's role and status rules and notifications: the frontend's way of moving an
    appointment on."""
    if data.status is not None:
        services.move_to_status(request.auth, appointment_id, data.status, _status_patch(request, appointment_id))
        return _json(selectors.item_json(None, appointment_id))
    services.update_appointment(request.auth, appointment_id, _booking_data(data), partial=True)
    return _json(selectors.item_json(request.auth, appointment_id))


@router.delete("/{int:appointment_id}/", response={204: None, **ERRORS}, summary="Delete (operator, before start)")
def delete_appointment(request, appointment_id: int):
    """Operators only, before the appointment is in progress; answers 204. Its notifications keep their text."""
    services.delete_appointment(request.auth, appointment_id)
    return Status(204, None)


# ------------------------------------------------------------------ lifecycle actions (SPEC section 4)


def _route(step: lifecycle.Step, call: Callable, body: type | None = None) -> None:
    """POST /{id}/<action>/: run the service, answer with the appointment as it now is."""
    if body is None:

        def view(request, appointment_id: int):
            call(request.auth, appointment_id)
            return _json(selectors.item_json(None, appointment_id))

    else:

        def view(request, appointment_id: int, data: body):  # type: ignore[valid-type]
            call(request.auth, appointment_id, data)
            return _json(selectors.item_json(None, appointment_id))

    router.add_api_operation(
        f"/{{int:appointment_id}}/{step.action}/",
        ["POST"],
        view,
        response={200: AppointmentOut, **ERRORS},
        summary=step.summary,
        operation_id=f"appointment_{step.action}",
    )


# The steps with their own service function, and the body each takes; every other step of the table is plain.
SPECIAL: dict[str, tuple[Callable, type | None]] = {
    "therapist_confirm": (services.confirm_as_therapist, None),
    "mark_completed": (
        lambda user, pk, data: services.verify_payment(user, pk, services.PaymentData(**data.model_dump())),
        PaymentIn,
    ),
    "request_pickup": (lambda user, pk, data: services.request_pickup(user, pk, data.urgency, data.notes), PickupIn),
    "assign_pickup_driver": (
        lambda user, pk, data: services.assign_pickup_driver(user, pk, data.driver),
        AssignDriverIn,
    ),
    "reject_pickup": (lambda user, pk, data: services.reject_pickup(user, pk, data.reason), ReasonIn),
    "reject": (lambda user, pk, data: services.reject(user, pk, data.reason), RejectIn),
    "review_rejection": (
        lambda user, pk, data: services.review_rejection(user, pk, data.action == "accept", data.reason),
        ReviewIn,
    ),
    "cancel": (lambda user, pk, data: services.cancel(user, pk, data.reason), ReasonIn),
    "auto_cancel": (services.auto_cancel_one, None),
}


def _plain(action: str) -> Callable:
    return lambda user, pk: services.run_step(user, pk, action)


def _status_patch(request: HttpRequest, appointment_id: int) -> Callable[[lifecycle.Step], object]:
    """Runs the step a status PATCH stands for, with the step's own input read from the same body."""

    def run(step: lifecycle.Step):
        if not step.special:
            return services.run_step(request.auth, appointment_id, step.action)
        call, body = SPECIAL[step.action]
        if body is None:
            return call(request.auth, appointment_id)
        raw = orjson.loads(request.body or b"{}")
        if step.action == "review_rejection":  # the target says which outcome: back to pending is a denial
            raw.setdefault("action", "deny" if raw["status"] == lifecycle.S.PENDING else "accept")
        return call(request.auth, appointment_id, body.model_validate(raw))

    return run


for _step in lifecycle.STEPS:
    if _step.special:
        _route(_step, *SPECIAL[_step.action])
    else:
        _route(_step, _plain(_step.action))
