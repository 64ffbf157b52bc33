"""The appointment lifecycle of SPEC section 4: its statuses and ONE table of steps.

Everything else reads this table: the pgtrigger.FSM transitions on Appointment.status (TRANSITIONS), the status
groups (CANCELLABLE, EDITABLE, ACTIVE_SESSIONS, PICKUP_REQUESTS, THERAPIST_FREED, DRIVER_HELD), the service that
runs a plain step (services.appointments.run_step), the action routes POST /appointments/{id}/<action>/, the
statuses an admin may move an appointment to (allowed_next_statuses), the status PATCH of the frontend
(step_leading_to) and the demo's progression of statuses and timestamps (PROGRESSION, stamp_reaching). tests/services/test_lifecycle_table.py proves they agree. Adding a step: one row here, plus its
notification type in models/notifications.py.

This module imports nothing from scheduling.models (the models import it for their FSM trigger), so roles and
notification types are written as their values; the test checks each against Role and NotificationType.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class AppointmentStatus(models.TextChoices):
    """The status values are part of the API contract: the frontend branches on them."""

    PENDING = "pending", "Pending"
    THERAPIST_CONFIRMED = "therapist_confirmed", "Therapist confirmed"
    DRIVER_CONFIRMED = "driver_confirmed", "Driver confirmed"
    IN_PROGRESS = "in_progress", "In progress"
    JOURNEY = "journey", "Journey"
    ARRIVED = "arrived", "Arrived"
    DROPPED_OFF = "dropped_off", "Dropped off"
    SESSION_IN_PROGRESS = "session_in_progress", "Session in progress"
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PAYMENT_VERIFIED = "payment_verified", "Payment verified"
    COMPLETED = "completed", "Completed"
    PICKUP_REQUESTED = "pickup_requested", "Pickup requested"
    DRIVER_ASSIGNED_PICKUP = "driver_assigned_pickup", "Driver assigned for pickup"
    RETURN_JOURNEY = "return_journey", "Return journey"
    TRANSPORT_COMPLETED = "transport_completed", "Transport completed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    AUTO_CANCELLED = "auto_cancelled", "Auto-cancelled"


S = AppointmentStatus
OPERATOR, THERAPIST, DRIVER = "operator", "therapist", "driver"


@dataclass(frozen=True)
class Step:
    """One lifecycle action.

    `targets`: the first is where the step usually leads; request_pickup leads to pickup_requested when no driver
    is free, review_rejection to cancelled when the operator accepts. `no_driver_sources`: extra sources allowed
    only when no driver is assigned. `frees`: the roles whose time the step gives back (the booking trigger stops
    holding them from the target on; a driver freed by a plain step is back from a ride, so their
    last_available_at is stamped). `message`: the notification text of a plain step ({label}, {Label}, {who});
    a step with `special` set runs its own named service function (it takes input or does more than move).
    """

    action: str
    roles: tuple[str, ...]
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    stamp: str | None
    notification: str
    phrase: str  # completes "Only a driver may ...", "Cannot ...: the appointment is ..."
    summary: str  # the route's summary in the OpenAPI document
    message: str = ""
    no_driver_sources: tuple[str, ...] = ()
    frees: tuple[str, ...] = ()
    special: bool = False

    @property
    def target(self) -> str:
        return self.targets[0]

    @property
    def all_sources(self) -> tuple[str, ...]:
        return (*self.sources, *self.no_driver_sources)

    def sources_for(self, has_driver: bool) -> tuple[str, ...]:
        return self.sources if has_driver else self.all_sources


CANCELLABLE = (S.PENDING, S.THERAPIST_CONFIRMED, S.DRIVER_CONFIRMED, S.REJECTED)  # everything before in_progress

# fmt: off
STEPS: tuple[Step, ...] = (
    Step("therapist_confirm", (THERAPIST,), (S.PENDING,), (S.THERAPIST_CONFIRMED,), "therapist_confirmed_at",
         "therapist_confirmed", "confirm", "Therapist confirms (each of a group)", special=True),
    Step("driver_confirm", (DRIVER,), (S.THERAPIST_CONFIRMED,), (S.DRIVER_CONFIRMED,), "driver_confirmed_at",
         "driver_confirmed", "confirm as driver", "Driver confirms", "Driver {who} confirmed {label}."),
    Step("start_appointment", (OPERATOR,), (S.DRIVER_CONFIRMED,), (S.IN_PROGRESS,), "started_at",
         "appointment_started", "start the appointment", "Operator starts the appointment", "{Label} has started.",
         no_driver_sources=(S.THERAPIST_CONFIRMED,)),
    Step("start_journey", (DRIVER,), (S.IN_PROGRESS,), (S.JOURNEY,), "journey_started_at",
         "journey_started", "start the journey", "Driver sets off", "Driver {who} is on the way for {label}."),
    Step("arrive_at_location", (DRIVER,), (S.JOURNEY,), (S.ARRIVED,), "arrived_at",
         "arrived_at_location", "arrive at the location", "Driver arrives", "Arrived at the location of {label}."),
    Step("drop_off_therapist", (DRIVER,), (S.ARRIVED,), (S.DROPPED_OFF,), "dropped_off_at",
         "therapist_dropped_off", "drop off the therapist", "Driver drops the therapist off",
         "Therapist dropped off for {label}.", frees=(DRIVER,)),
    Step("start_session", (THERAPIST,), (S.DROPPED_OFF,), (S.SESSION_IN_PROGRESS,), "session_started_at",
         "session_started", "start the session", "Therapist starts the session", "Session of {label} started.",
         no_driver_sources=(S.IN_PROGRESS,)),
    Step("mark_awaiting_payment", (THERAPIST,), (S.SESSION_IN_PROGRESS,), (S.AWAITING_PAYMENT,),
         "awaiting_payment_at", "payment_requested", "ask for payment", "Therapist asks for payment",
         "Payment requested for {label}."),
    Step("mark_completed", (OPERATOR,), (S.AWAITING_PAYMENT,), (S.PAYMENT_VERIFIED,), "payment_verified_at",
         "payment_verified", "verify the payment", "Operator verifies the payment", special=True),
    Step("complete", (THERAPIST, DRIVER, OPERATOR), (S.PAYMENT_VERIFIED,), (S.COMPLETED,), "completed_at",
         "appointment_completed", "complete the appointment", "Therapist, driver or operator completes",
         "{Label} is completed."),
    Step("request_pickup", (THERAPIST,), (S.COMPLETED,), (S.DRIVER_ASSIGNED_PICKUP, S.PICKUP_REQUESTED),
         "pickup_request_time", "pickup_requested", "request a pickup",
         "Therapist asks for a pickup (auto-assigns the free driver who waited longest)", special=True),
    Step("assign_pickup_driver", (OPERATOR,), (S.PICKUP_REQUESTED,), (S.DRIVER_ASSIGNED_PICKUP,), None,
         "driver_assigned_pickup", "assign a pickup driver", "Operator assigns a pickup driver", special=True),
    Step("reject_pickup", (DRIVER,), (S.DRIVER_ASSIGNED_PICKUP,), (S.PICKUP_REQUESTED,), None,
         "pickup_rejected", "reject the pickup", "Assigned driver turns the pickup down", special=True),
    Step("confirm_pickup", (DRIVER,), (S.DRIVER_ASSIGNED_PICKUP,), (S.RETURN_JOURNEY,), "pickup_confirmed_at",
         "pickup_confirmed", "confirm the pickup", "Assigned driver confirms the pickup",
         "Driver {who} is on the way to pick up ({label})."),
    Step("complete_return_journey", (DRIVER,), (S.RETURN_JOURNEY,), (S.TRANSPORT_COMPLETED,),
         "return_journey_completed_at", "return_journey_completed", "complete the return journey",
         "Driver brings the therapist back", "Return journey of {label} completed.", frees=(DRIVER,)),
    Step("reject", (THERAPIST, DRIVER), (S.PENDING,), (S.REJECTED,), "rejected_at",
         "appointment_rejected", "reject", "Assigned therapist or driver rejects (reason required)", special=True),
    Step("review_rejection", (OPERATOR,), (S.REJECTED,), (S.PENDING, S.CANCELLED), None,
         "rejection_reviewed", "review the rejection",
         "Operator accepts (cancelled) or denies (pending) a rejection", special=True),
    Step("auto_cancel", (OPERATOR,), (S.PENDING,), (S.AUTO_CANCELLED,), "cancelled_at",
         "appointment_auto_cancelled", "auto-cancel", "Operator auto-cancels one overdue pending appointment",
         frees=(THERAPIST, DRIVER), special=True),
    Step("cancel", (OPERATOR,), CANCELLABLE, (S.CANCELLED,), "cancelled_at",
         "appointment_cancelled", "cancel", "Operator cancels (before in_progress)",
         frees=(THERAPIST, DRIVER), special=True),
)
# fmt: on

BY_ACTION: dict[str, Step] = {step.action: step for step in STEPS}
PLAIN_ACTIONS = tuple(step.action for step in STEPS if not step.special)


def step(action: str) -> Step:
    return BY_ACTION[action]


def _transitions() -> list[tuple[str, str]]:
    pairs = [(str(source), str(target)) for s in STEPS for source in s.all_sources for target in s.targets]
    # A pair two steps share (rejected -> cancelled: review accepted, or cancel) is listed at its last step, which
    # keeps the order, hence the compiled trigger and its migration, of the list this table replaced.
    return list(dict.fromkeys(reversed(pairs)))[::-1]


# What pgtrigger.FSM on Appointment.status allows; every other change of status is refused by PostgreSQL.
TRANSITIONS: list[tuple[str, str]] = _transitions()


def _in_status_order(statuses: Iterable[str]) -> tuple[str, ...]:
    # The declaration order of AppointmentStatus: the order the SQL of the booking trigger was compiled with.
    wanted = set(statuses)
    return tuple(value for value in S.values if value in wanted)


def _freed_by(role: str) -> set[str]:
    return {target for s in STEPS if role in s.frees for target in s.targets}


def _reachable(start: str, *, excluded: set[str]) -> set[str]:
    """Statuses reached from `start` along the steps of an appointment with a driver, never entering `excluded`."""
    seen = [start]
    for status in seen:
        for s in STEPS:
            if status in s.sources:
                seen.extend(t for t in s.targets if t not in excluded and t not in seen)
    return set(seen)


# Deleting an appointment: only before it starts (a cancelled one too); editing: only while it can be cancelled.
EDITABLE = frozenset(CANCELLABLE) | {S.CANCELLED, S.AUTO_CANCELLED}
# Under way: started, not yet paid.
ACTIVE_SESSIONS = _in_status_order(_reachable(S.IN_PROGRESS, excluded={S.PAYMENT_VERIFIED}))
# The pickup board: every status request_pickup can lead to.
PICKUP_REQUESTS = _in_status_order(step("request_pickup").targets)
# A therapist holds the appointment's time range unless a step freed them (cancelled); a driver until a step
# frees them (the drop-off); a pickup driver is matched on "free now", not on this range.
THERAPIST_FREED = _in_status_order(_freed_by(THERAPIST))
DRIVER_HELD = _in_status_order(_reachable(S.PENDING, excluded=_freed_by(DRIVER)))

# The way through when nothing goes wrong (no rejection, no cancellation), in status order; the demo seeds its
# appointments along it.
PROGRESSION = _in_status_order(_reachable(S.PENDING, excluded={S.REJECTED, S.CANCELLED, S.AUTO_CANCELLED}))


def _skipped_without_driver() -> frozenset[str]:
    """The statuses of PROGRESSION a no_driver_sources shortcut jumps over (driver_confirmed; journey to
    dropped_off): an appointment without a driver never passes through them."""
    skipped: set[str] = set()
    for s in STEPS:
        for shortcut in s.no_driver_sources:
            for source in s.sources:
                skipped.update(PROGRESSION[PROGRESSION.index(shortcut) + 1 : PROGRESSION.index(source) + 1])
    return frozenset(skipped)


SKIPPED_WITHOUT_DRIVER = _skipped_without_driver()


def way_to(status: str, *, has_driver: bool) -> list[str]:
    """The statuses of PROGRESSION an appointment passes through up to `status` (itself included); without a
    driver, those the shortcuts skip are left out. The demo's timestamps and notifications follow it."""
    reached = PROGRESSION[: PROGRESSION.index(status) + 1]
    return [p for p in reached if has_driver or p not in SKIPPED_WITHOUT_DRIVER]


def stamp_reaching(status: str) -> str | None:
    """The timestamp field set by the step from the status before `status` in PROGRESSION into it (None for a
    step that sets none)."""
    return step_leading_to(PROGRESSION[PROGRESSION.index(status) - 1], status).stamp


def notifications_reaching(status: str, *, has_driver: bool) -> tuple[str, ...]:
    """The notification types an appointment now in `status` gave rise to on its way there: its creation, then
    the step into each status of its way (way_to), or, for a status off PROGRESSION (rejected, cancelled,
    auto-cancelled), the step that leads to it. For the demo's history, so that a pending booking never shows a
    return journey."""
    created = "appointment_created"
    if status not in PROGRESSION:
        return (created, *[s.notification for s in STEPS if s.target == status][:1])
    path = way_to(status, has_driver=has_driver)
    return (created, *(step_leading_to(a, b).notification for a, b in zip(path, path[1:], strict=False)))


def allowed_next_statuses(status: str, *, has_driver: bool | None = None) -> list[str]:
    """The statuses an appointment in `status` may move to (what an admin may choose; the FSM allows no other).
    has_driver None: whether or not a driver is assigned."""
    found: list[str] = []
    for s in STEPS:
        sources = s.all_sources if has_driver is None else s.sources_for(has_driver)
        if status in sources:
            found.extend(t for t in s.targets if t not in found)
    return found


def step_leading_to(current: str, target: str) -> Step | None:
    """The step a `PATCH {status: target}` stands for: one whose sources include `current` and that leads to
    `target`. A step that usually leads there wins (rejected -> cancelled is cancel, not a review)."""
    candidates = [s for s in STEPS if current in s.all_sources and target in s.targets]
    candidates.sort(key=lambda s: s.target != target)
    return candidates[0] if candidates else None
