"""Writes of appointments: booking, editing and every lifecycle action of SPEC section 4.

Each function runs in one transaction: it locks the appointment (visible to the caller, else 404), checks the
role (403) and the current status (409 naming it), changes the row and writes the notifications. PostgreSQL
enforces the same transitions (pgtrigger.FSM on Appointment.status) and the no-double-booking rule (exclusion
constraint on StaffBooking); the checks here give the friendly message first.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError
from django.utils import timezone

from scheduling.errors import BadRequest, Conflict, constraint_of
from scheduling.lifecycle import (
    CANCELLABLE,
    EDITABLE,
    TRANSITIONS,
    Step,
    allowed_next_statuses,
    step_leading_to,
)
from scheduling.lifecycle import step as lifecycle_step
from scheduling.models import (
    Appointment,
    AppointmentRejection,
    AppointmentStatus,
    AppointmentTherapist,
    Client,
    Notification,
    NotificationType,
    OperatorResponse,
    PaymentStatus,
    Role,
    Service,
    User,
)
from scheduling.selectors import appointments as selectors
from scheduling.services import permissions
from scheduling.services.notifications import notify
from scheduling.services.transactions import lock_staff, run_in_transaction, transactional
from scheduling.services.validation import invalid_input
from scheduling.wall_clock import length

RESPONSE_WINDOW = dt.timedelta(minutes=30)
MAX_LENGTH = dt.timedelta(hours=12)
PICKUP_ETA = {"urgent": dt.timedelta(minutes=15), "normal": dt.timedelta(minutes=30)}
ALLOWED = frozenset(TRANSITIONS)


@dataclass
class BookingData:
    """What an operator books or edits; None means 'not given' (PATCH keeps the current value)."""

    client: int | None = None
    services: list[int] | None = None
    therapist: int | None = None
    therapists: list[int] | None = None
    driver: int | None = None
    date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    location: str | None = None
    notes: str | None = None
    metadata: dict | None = None
    given: set[str] = field(default_factory=set)


# ---------------------------------------------------------------- helpers


def _name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _label(appointment: Appointment) -> str:
    return f"appointment #{appointment.pk} on {appointment.date} at {appointment.start_time:%H:%M}"


def _require_status(appointment: Appointment, statuses: Iterable[str], action: str) -> None:
    statuses = tuple(statuses)
    if appointment.status not in statuses:
        raise Conflict(
            f"Cannot {action}: the appointment is {appointment.status}; this needs status {' or '.join(statuses)}."
        )


def _begin(user: User, appointment_id: int, action: str, role_phrase: str | None = None) -> Appointment:
    """Start a step of the lifecycle table: its roles (403), the row locked if visible (404), its sources (409)."""
    step = lifecycle_step(action)
    permissions.require_role(user, step.roles, role_phrase or step.phrase)
    appointment = selectors.appointment_for_update(user, appointment_id)
    _require_status(appointment, step.sources_for(has_driver=appointment.driver_id is not None), step.phrase)
    return appointment


def _group_therapist_ids(appointment: Appointment) -> list[int]:
    """The group therapists' ids in link order: read with the locked row (selectors.appointment_for_update), else
    queried."""
    known = getattr(appointment, "group_therapist_ids", None)
    if known is not None:
        return list(known)
    return list(
        AppointmentTherapist.objects.filter(appointment=appointment)
        .order_by("id")
        .values_list("therapist_id", flat=True)
    )


def _staff_ids(appointment: Appointment, group: list[int]) -> list[int]:
    ids = [appointment.therapist_id, *group, appointment.driver_id, appointment.operator_id]
    return list(dict.fromkeys(i for i in ids if i is not None))


def _notify(
    recipients: Iterable[int | None],
    kind: str,
    message: str,
    *,
    actor: User | None = None,
    appointment: Appointment | None = None,
    rejection: AppointmentRejection | None = None,
) -> None:
    """One INSERT for all recipients; the actor is not told about their own action."""
    ids = [i for i in recipients if i is not None and (actor is None or i != actor.id)]
    notify(ids, kind, message, appointment=appointment, rejection=rejection)


def _move(appointment: Appointment, to_status: str, **changes) -> None:
    """Save a transition (the FSM trigger re-checks it in PostgreSQL)."""
    assert (appointment.status, to_status) in ALLOWED, (appointment.status, to_status)
    appointment.status = to_status
    for name, value in changes.items():
        setattr(appointment, name, value)
    appointment.save(update_fields=["status", "updated_at", *changes])


def _double_booking(rows: list[dict]) -> BadRequest:
    """A 400 whose field map names who is busy and when, under `therapist` or `driver`, as the booking form shows
    it (SPEC section 8)."""
    errors: dict[str, list[str]] = {}
    for r in rows:
        who = f"{r['staff__first_name']} {r['staff__last_name']}".strip() or r["staff__username"]
        errors.setdefault(r["role"], []).append(
            f"{r['role']} {who} (id {r['staff_id']}) is busy with appointment #{r['appointment_id']} on "
            f"{r['appointment__date']} from {r['appointment__start_time']:%H:%M} to {r['appointment__end_time']:%H:%M}"
        )
    return BadRequest("Double booking: " + "; ".join(m for ms in errors.values() for m in ms) + ".", errors=errors)


def _check_free(staff_ids: list[int], date: dt.date, start: dt.time, end: dt.time, exclude: int | None) -> None:
    if not staff_ids:
        return
    rows = selectors.conflicts(staff_ids, date, start, end, exclude_appointment=exclude)
    if rows:
        raise _double_booking(rows)


# ---------------------------------------------------------------- booking and editing


@dataclass
class _Resolved:
    client: Client | None
    services: list[Service] | None
    therapist_ids: list[int] | None  # main first; None = unchanged
    driver: int | None


def _resolve(data: BookingData, *, partial: bool) -> _Resolved:
    """Check every referenced row exists and fits (a fixed number of queries: client, services, staff)."""
    errors: dict[str, list[str]] = {}
    client = None
    if data.client is not None:
        client = Client.objects.filter(id=data.client).first()
        if client is None:
            errors["client"] = [f"Client {data.client} does not exist."]
    services = None
    if data.services is not None:
        wanted = list(dict.fromkeys(data.services))
        if not wanted:
            errors["services"] = ["At least one service is required."]
        found = {s.id: s for s in Service.objects.filter(id__in=wanted)} if wanted else {}
        missing = [i for i in wanted if i not in found]
        inactive = [found[i].name for i in wanted if i in found and not found[i].is_active]
        if missing:
            errors.setdefault("services", []).append(f"Unknown service id(s): {', '.join(map(str, missing))}.")
        if inactive:
            errors.setdefault("services", []).append(f"Inactive service(s): {', '.join(inactive)}.")
        services = [found[i] for i in wanted if i in found]
    therapist_ids = None
    if "therapist" in data.given or "therapists" in data.given:
        therapist_ids = list(dict.fromkeys(i for i in [data.therapist, *(data.therapists or [])] if i is not None))
    staff_wanted = [*(therapist_ids or []), *([data.driver] if data.driver is not None else [])]
    staff = {u.id: u for u in User.objects.filter(id__in=staff_wanted)} if staff_wanted else {}
    for tid in therapist_ids or []:
        u = staff.get(tid)
        if u is None or u.role != Role.THERAPIST or not u.is_active:
            errors.setdefault("therapists", []).append(f"User {tid} is not an active therapist.")
    if data.driver is not None:
        u = staff.get(data.driver)
        if u is None or u.role != Role.DRIVER or not u.is_active:
            errors["driver"] = [f"User {data.driver} is not an active driver."]
    if not partial and not therapist_ids:
        errors.setdefault("therapist", []).append("A therapist is required.")
    if errors:
        raise invalid_input(errors)
    return _Resolved(client, services, therapist_ids, data.driver)


def _check_times(date: dt.date, start: dt.time, end: dt.time) -> None:
    if end < start and date == dt.date.max:
        raise BadRequest(
            "The appointment would end after 9999-12-31, the last day the calendar holds.",
            errors={"date": ["Ends past the end of the calendar."]},
        )
    if start == end:
        raise BadRequest("end_time must differ from start_time.", errors={"end_time": ["Must differ from start_time."]})
    if length(start, end) > MAX_LENGTH:
        raise BadRequest(
            "end_time is before start_time: an appointment may run past midnight, but for at most 12 hours "
            f"({start:%H:%M} to {end:%H:%M} would last {length(start, end)}).",
            errors={"end_time": ["Before start_time (more than 12 hours past midnight)."]},
        )


def _save_links(appointment: Appointment, therapist_ids: list[int], *, new: bool = False) -> None:
    """Group bookings (more than one therapist) get one link per therapist, each confirming on their own."""
    if not new:
        AppointmentTherapist.objects.filter(appointment=appointment).delete()
    if len(therapist_ids) > 1:
        AppointmentTherapist.objects.bulk_create(
            AppointmentTherapist(appointment=appointment, therapist_id=t) for t in therapist_ids
        )


@dataclass
class _Booking:
    """What a booking transaction is about to hold, kept for the friendly answer after a lost race."""

    staff_ids: list[int] = field(default_factory=list)
    date: dt.date | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    appointment_id: int | None = None

    def hold(self, staff_ids: list[int], appointment: Appointment, *, look_up_first: bool = True) -> None:
        """Take the staff locks (id order): writers of one person's bookings queue instead of deadlocking on the
        exclusion constraint. look_up_first: check for a conflict now (a writer that queued behind us sees our
        booking); without it the exclusion constraint refuses the clash and _booked names who is busy (a new
        booking saves that query). A new appointment (no id yet) gets its id drawn in the same round trip."""
        self.staff_ids = staff_ids
        self.date, self.start, self.end = appointment.date, appointment.start_time, appointment.end_time
        if appointment.pk is None:
            appointment.pk = lock_staff(staff_ids, reserve_id_of=Appointment._meta.db_table)
        else:
            lock_staff(staff_ids)
        self.appointment_id = appointment.pk
        if look_up_first:
            _check_free(staff_ids, self.date, self.start, self.end, self.appointment_id)


def _booked(write: Callable[..., Appointment], *args) -> Appointment:
    """Run a booking write as one retried transaction; a clash the database caught anyway (a writer that does
    not take the staff locks) becomes the double-booking answer, said after the rollback."""
    booking = _Booking()
    try:
        return run_in_transaction(write, booking, *args)
    except IntegrityError as exc:
        if constraint_of(exc) != "staff_booking_no_overlap":
            raise
        rows = selectors.conflicts(
            booking.staff_ids, booking.date, booking.start, booking.end, exclude_appointment=booking.appointment_id
        )
        if rows:
            raise _double_booking(rows) from exc
        raise BadRequest(
            "Double booking: one of the staff is busy at that time (a concurrent booking won).",
            errors={"therapist": ["Busy at that time (a concurrent booking won)."]},
        ) from exc


def create_appointment(operator: User, data: BookingData) -> Appointment:
    return _booked(_create, operator, data)


def _create(booking: _Booking, operator: User, data: BookingData) -> Appointment:
    permissions.require(operator, permissions.BOOK_APPOINTMENT)
    resolved = _resolve(data, partial=False)
    start, date = data.start_time, data.date
    end = data.end_time
    if end is None:  # default: the services' total duration (the database computes totals for display)
        minutes = sum(s.duration for s in resolved.services)
        end = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)).time()
    _check_times(date, start, end)
    staff_ids = [*resolved.therapist_ids, *([resolved.driver] if resolved.driver else [])]
    now = timezone.now()
    appointment = Appointment(
        client=resolved.client,
        therapist_id=resolved.therapist_ids[0],
        group_size=len(resolved.therapist_ids),
        driver_id=resolved.driver,
        operator=operator,
        date=date,
        start_time=start,
        end_time=end,
        location=data.location or "",
        notes=data.notes or "",
        metadata=data.metadata or {},
        response_deadline=now + RESPONSE_WINDOW,
    )
    booking.hold(staff_ids, appointment, look_up_first=False)  # draws the appointment's id
    # The services first, then the appointment (foreign keys are checked at commit): the appointment's insert renders
    # its cached JSON once, with its services (the other way round rendered it twice, first without them).
    Appointment.services.through.objects.bulk_create(
        Appointment.services.through(appointment_id=appointment.pk, service=service) for service in resolved.services
    )
    appointment.save(force_insert=True)
    _save_links(appointment, resolved.therapist_ids, new=True)
    _notify(
        staff_ids,
        NotificationType.APPOINTMENT_CREATED,
        f"New booking: {_label(appointment)} for {resolved.client}. Please confirm.",
        actor=operator,
        appointment=appointment,
    )
    return appointment


def update_appointment(operator: User, appointment_id: int, data: BookingData, *, partial: bool) -> Appointment:
    return _booked(_update, operator, appointment_id, data, partial)


def _update(booking: _Booking, operator: User, appointment_id: int, data: BookingData, partial: bool) -> Appointment:
    permissions.require(operator, permissions.EDIT_APPOINTMENT)
    resolved = _resolve(data, partial=partial)
    appointment = selectors.appointment_for_update(operator, appointment_id)
    _require_status(appointment, CANCELLABLE, "edit the appointment")
    if resolved.client is not None:
        appointment.client = resolved.client
    for name in ("date", "start_time", "end_time", "location", "notes", "metadata"):
        value = getattr(data, name)
        if value is not None:
            setattr(appointment, name, value)
    if "driver" in data.given:
        appointment.driver_id = resolved.driver
    group = _group_therapist_ids(appointment)
    therapist_ids = resolved.therapist_ids
    if therapist_ids is not None and therapist_ids:
        appointment.therapist_id = therapist_ids[0]
        appointment.group_size = len(therapist_ids)
    _check_times(appointment.date, appointment.start_time, appointment.end_time)
    team = therapist_ids or [appointment.therapist_id, *group]
    staff_ids = [i for i in [*team, appointment.driver_id] if i is not None]
    booking.hold(staff_ids, appointment)
    appointment.save()
    if resolved.services is not None:
        appointment.services.set(resolved.services)
    if therapist_ids:
        _save_links(appointment, therapist_ids)
    _notify(
        [*staff_ids, appointment.operator_id],
        NotificationType.APPOINTMENT_UPDATED,
        f"{_label(appointment).capitalize()} was changed.",
        actor=operator,
        appointment=appointment,
    )
    return appointment


@transactional
def delete_appointment(operator: User, appointment_id: int) -> None:
    permissions.require(operator, permissions.DELETE_APPOINTMENT)
    appointment = selectors.appointment_for_update(operator, appointment_id)
    _require_status(appointment, EDITABLE, "delete the appointment (it has started)")
    recipients = _staff_ids(appointment, _group_therapist_ids(appointment))
    _notify(
        recipients,
        NotificationType.APPOINTMENT_DELETED,
        f"{_label(appointment).capitalize()} was deleted.",
        actor=operator,
    )
    appointment.delete()


# ---------------------------------------------------------------- lifecycle


@transactional
def confirm_as_therapist(user: User, appointment_id: int) -> Appointment:
    appointment = _begin(user, appointment_id, "therapist_confirm", "confirm as therapist")
    now = timezone.now()
    group = _group_therapist_ids(appointment)
    if group:
        updated = AppointmentTherapist.objects.filter(
            appointment=appointment, therapist=user, confirmed_at__isnull=True
        ).update(confirmed_at=now)
        if not updated:
            raise Conflict("You have already confirmed this group booking; waiting for the other therapists.")
        waiting = AppointmentTherapist.objects.filter(appointment=appointment, confirmed_at__isnull=True).count()
        if waiting:
            _notify(
                [appointment.operator_id],
                NotificationType.THERAPIST_CONFIRMED,
                f"{_name(user)} confirmed {_label(appointment)}; {waiting} therapist(s) still to confirm.",
                appointment=appointment,
            )
            appointment.updated_at = now
            appointment.save(update_fields=["updated_at"])
            return appointment
    _move(appointment, AppointmentStatus.THERAPIST_CONFIRMED, therapist_confirmed_at=now)
    _notify(
        [appointment.operator_id, appointment.driver_id, *group],
        NotificationType.THERAPIST_CONFIRMED,
        f"{_label(appointment).capitalize()} is confirmed by the therapist(s).",
        actor=user,
        appointment=appointment,
    )
    return appointment


@transactional
def run_step(user: User, appointment_id: int, action: str) -> Appointment:
    """A plain step of the lifecycle table (scheduling/lifecycle.py): lock, check role and status, move, stamp,
    free the driver it frees, notify everyone concerned."""
    step = lifecycle_step(action)
    assert not step.special, f"{action} has its own service function"
    appointment = _begin(user, appointment_id, action)
    now = timezone.now()
    _move(appointment, step.target, **({step.stamp: now} if step.stamp else {}))
    if Role.DRIVER in step.frees and appointment.driver_id:
        User.objects.filter(id=appointment.driver_id).update(last_available_at=now)
    group = _group_therapist_ids(appointment)
    _notify(
        _staff_ids(appointment, group),
        step.notification,
        step.message.format(label=_label(appointment), Label=_label(appointment).capitalize(), who=_name(user)),
        actor=user,
        appointment=appointment,
    )
    return appointment


@dataclass
class PaymentData:
    payment_method: str
    payment_amount: Decimal
    payment_notes: str | None = ""
    receipt_hash: str | None = ""  # None: no receipt (cash), as the frontend sends it
    receipt_url: str | None = ""
    has_service_extension: bool = False
    extension_amount: Decimal | None = None


@transactional
def verify_payment(user: User, appointment_id: int, data: PaymentData) -> Appointment:
    """mark_completed: the operator verifies the payment; paid when it covers the total, else partial."""
    appointment = _begin(user, appointment_id, "mark_completed", "verify a payment")
    total = selectors.total_price(appointment.pk)
    now = timezone.now()
    extension = {}
    if data.has_service_extension and data.extension_amount:
        # Where the frontend's sales report looks, and report_revenue_daily.revenue_extension sums.
        service_extension = {"has_extension": True, "extension_amount": float(data.extension_amount)}
        extension = {"metadata": {**appointment.metadata, "service_extension": service_extension}}
    _move(
        appointment,
        AppointmentStatus.PAYMENT_VERIFIED,
        payment_method=data.payment_method,
        payment_amount=data.payment_amount,
        payment_notes=data.payment_notes or "",
        receipt_hash=data.receipt_hash or "",
        receipt_url=data.receipt_url or "",
        **extension,
        payment_status=PaymentStatus.PAID if data.payment_amount >= total else PaymentStatus.PARTIAL,
        payment_verified_at=now,
        payment_verified_by=user,
    )
    _notify(
        _staff_ids(appointment, _group_therapist_ids(appointment)),
        NotificationType.PAYMENT_VERIFIED,
        f"Payment of {data.payment_amount} ({data.payment_method}) verified for {_label(appointment)}.",
        actor=user,
        appointment=appointment,
    )
    return appointment


@transactional
def request_pickup(user: User, appointment_id: int, urgency: str = "normal", notes: str = "") -> Appointment:
    """The therapist asks to be fetched: the free driver who has waited longest is assigned at once, else the
    request waits for an operator (pickup_requested)."""
    appointment = _begin(user, appointment_id, "request_pickup", "request a pickup")
    now = timezone.now()
    driver = selectors.free_driver_now()
    metadata = {**appointment.metadata}
    if appointment.driver_id:
        metadata["dropoff_driver_id"] = appointment.driver_id
    fields = dict(pickup_urgency=urgency, pickup_notes=notes, pickup_request_time=now, metadata=metadata)
    if driver is None:
        _move(appointment, AppointmentStatus.PICKUP_REQUESTED, driver=None, **fields)
        _notify(
            [appointment.operator_id],
            NotificationType.PICKUP_REQUESTED,
            f"{_name(user)} asks for a pickup ({urgency}) after {_label(appointment)}; no driver is free: assign one.",
            appointment=appointment,
        )
        return appointment
    _move(
        appointment,
        AppointmentStatus.DRIVER_ASSIGNED_PICKUP,
        driver=driver,
        estimated_pickup_time=now + PICKUP_ETA[urgency],
        **fields,
    )
    _notify(
        [driver.id],
        NotificationType.DRIVER_ASSIGNED_PICKUP,
        f"Pick up {_name(user)} ({urgency}) after {_label(appointment)} at {appointment.location}.",
        appointment=appointment,
    )
    _notify(
        [appointment.operator_id],
        NotificationType.PICKUP_REQUESTED,
        f"{_name(user)} asked for a pickup after {_label(appointment)}; driver {_name(driver)} was assigned.",
        appointment=appointment,
    )
    return appointment


@transactional
def assign_pickup_driver(user: User, appointment_id: int, driver_id: int) -> Appointment:
    appointment = _begin(user, appointment_id, "assign_pickup_driver", "assign a pickup driver")
    driver = User.objects.filter(id=driver_id, role=Role.DRIVER, is_active=True).first()
    if driver is None:
        raise BadRequest(f"User {driver_id} is not an active driver.", errors={"driver": ["Not an active driver."]})
    if not selectors.driver_is_free_now(driver_id):
        raise Conflict(f"Driver {_name(driver)} (id {driver_id}) is busy now.")
    now = timezone.now()
    urgency = appointment.pickup_urgency or "normal"
    _move(
        appointment,
        AppointmentStatus.DRIVER_ASSIGNED_PICKUP,
        driver=driver,
        estimated_pickup_time=now + PICKUP_ETA[urgency],
    )
    _notify(
        [driver.id, appointment.therapist_id, *_group_therapist_ids(appointment)],
        NotificationType.DRIVER_ASSIGNED_PICKUP,
        f"Driver {_name(driver)} will pick up the therapist after {_label(appointment)}.",
        actor=user,
        appointment=appointment,
    )
    return appointment


@transactional
def reject_pickup(user: User, appointment_id: int, reason: str = "") -> Appointment:
    appointment = _begin(user, appointment_id, "reject_pickup", "reject a pickup")
    _move(appointment, AppointmentStatus.PICKUP_REQUESTED, driver=None, estimated_pickup_time=None)
    _notify(
        [appointment.operator_id],
        NotificationType.PICKUP_REJECTED,
        f"Driver {_name(user)} cannot do the pickup after {_label(appointment)}"
        + (f": {reason}" if reason else ".")
        + " Assign another driver.",
        appointment=appointment,
    )
    return appointment


@transactional
def reject(user: User, appointment_id: int, reason: str) -> Appointment:
    permissions.require_role(user, lifecycle_step("reject").roles, "reject an appointment")
    reason = (reason or "").strip()
    if not reason:
        raise BadRequest("A reason is required to reject.", errors={"reason": ["This field is required."]})
    appointment = _begin(user, appointment_id, "reject", "reject an appointment")
    now = timezone.now()
    rejection = AppointmentRejection.objects.create(appointment=appointment, reason=reason, rejected_by=user)
    _move(appointment, AppointmentStatus.REJECTED, rejection_reason=reason, rejected_by=user, rejected_at=now)
    _notify(
        [appointment.operator_id],
        NotificationType.APPOINTMENT_REJECTED,
        f"{_name(user)} ({user.role}) rejected {_label(appointment)}: {reason}",
        appointment=appointment,
        rejection=rejection,
    )
    return appointment


@transactional
def review_rejection(user: User, appointment_id: int, accept: bool, reason: str = "") -> Appointment:
    """accept: the booking is cancelled (kept with its history); deny: back to pending, a new 30-minute window."""
    appointment = _begin(user, appointment_id, "review_rejection", "review a rejection")
    now = timezone.now()
    rejection = (
        AppointmentRejection.objects.filter(appointment=appointment, operator_response=OperatorResponse.PENDING)
        .order_by("-rejected_at", "-id")
        .first()
    )
    if rejection is not None:
        rejection.operator_response = OperatorResponse.ACCEPTED if accept else OperatorResponse.DENIED
        rejection.operator_response_reason = reason
        rejection.reviewed_by = user
        rejection.reviewed_at = now
        rejection.save(update_fields=["operator_response", "operator_response_reason", "reviewed_by", "reviewed_at"])
    if accept:
        _move(
            appointment,
            AppointmentStatus.CANCELLED,
            cancelled_at=now,
            cancellation_reason=reason or "Rejection accepted.",
        )
    else:
        _move(appointment, AppointmentStatus.PENDING, response_deadline=now + RESPONSE_WINDOW)
    outcome = "accepted: the appointment is cancelled" if accept else "denied: the appointment is pending again"
    _notify(
        [rejection.rejected_by_id if rejection else appointment.rejected_by_id],
        NotificationType.REJECTION_REVIEWED,
        f"Your rejection of {_label(appointment)} was {outcome}" + (f" ({reason})." if reason else "."),
        appointment=appointment,
        rejection=rejection,
    )
    return appointment


@transactional
def cancel(user: User, appointment_id: int, reason: str = "") -> Appointment:
    appointment = _begin(user, appointment_id, "cancel", "cancel an appointment")
    now = timezone.now()
    _move(appointment, AppointmentStatus.CANCELLED, cancelled_at=now, cancellation_reason=reason)
    _notify(
        _staff_ids(appointment, _group_therapist_ids(appointment)),
        NotificationType.APPOINTMENT_CANCELLED,
        f"{_label(appointment).capitalize()} was cancelled" + (f": {reason}" if reason else "."),
        actor=user,
        appointment=appointment,
    )
    return appointment


@transactional
def move_to_status(user: User, appointment_id: int, target: str, run: Callable[[Step], Appointment]) -> Appointment:
    """PATCH {status}: another spelling of the lifecycle step that leads from the current status to `target`, run
    by `run` (the API parses that step's input) in this same transaction; that step checks the role, the status
    and writes the notifications. No step leads there: 409."""
    appointment = selectors.appointment_for_update(user, appointment_id)
    step = step_leading_to(appointment.status, target)
    if step is None:
        allowed = allowed_next_statuses(appointment.status, has_driver=appointment.driver_id is not None)
        raise Conflict(
            f"Cannot move the appointment from {appointment.status} to {target}: no lifecycle step leads there. "
            f"From {appointment.status} it may go to: {', '.join(allowed) or 'nothing (final status)'}."
        )
    return run(step)


def _auto_cancel(rows: list[Appointment], now: dt.datetime) -> list[int]:
    if not rows:
        return []
    ids = [a.pk for a in rows]
    reason = "No response before the deadline."
    # One UPDATE statement: the statement-level counter trigger runs once however many rows it cancels.
    Appointment.objects.filter(id__in=ids).update(
        status=AppointmentStatus.AUTO_CANCELLED, cancelled_at=now, cancellation_reason=reason, updated_at=now
    )
    groups: dict[int, list[int]] = {}
    for aid, tid in AppointmentTherapist.objects.filter(appointment_id__in=ids).values_list(
        "appointment_id", "therapist_id"
    ):
        groups.setdefault(aid, []).append(tid)
    notes = []
    for a in rows:
        for uid in dict.fromkeys(_staff_ids(a, groups.get(a.pk, []))):
            notes.append(
                Notification(
                    user_id=uid,
                    appointment_id=a.pk,
                    notification_type=NotificationType.APPOINTMENT_AUTO_CANCELLED,
                    message=f"{_label(a).capitalize()} was cancelled automatically: nobody responded in time.",
                )
            )
    Notification.objects.bulk_create(notes)
    return ids


@transactional
def auto_cancel_overdue(now: dt.datetime | None = None) -> list[int]:
    """Cancel every pending appointment past its response deadline (scheduler and operators). Four queries."""
    now = now or timezone.now()
    rows = list(
        Appointment.objects.select_for_update(skip_locked=True)
        .filter(status=AppointmentStatus.PENDING, response_deadline__lt=now)
        .only("id", "date", "start_time", "therapist_id", "driver_id", "operator_id")
        .order_by("id")
    )
    return _auto_cancel(rows, now)


def auto_cancel_overdue_by(user: User) -> list[int]:
    """POST auto_cancel_overdue/: an operator runs the scheduler's sweep now."""
    permissions.require_role(user, lifecycle_step("auto_cancel").roles, "auto-cancel appointments")
    return auto_cancel_overdue()


@transactional
def auto_cancel_one(user: User, appointment_id: int) -> Appointment:
    appointment = _begin(user, appointment_id, "auto_cancel", "auto-cancel an appointment")
    now = timezone.now()
    if appointment.response_deadline is None or appointment.response_deadline >= now:
        raise Conflict(f"Cannot auto-cancel: the response deadline ({appointment.response_deadline}) has not passed.")
    _auto_cancel([appointment], now)
    return appointment
