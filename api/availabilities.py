"""Availability slots and who is free (SPEC sections 5 and 6).

Operators see and manage every slot; therapists and drivers only their own. `available_therapists/` and
`available_drivers/` are served here and, as SPEC section 6 lists them, at /api/scheduling/ too (`free_router`).
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema, Status

from api.schema_rendering import schema_response
from api.schemas import LocalTime, Message, UserBrief, UserOut
from scheduling.models import MassagePressure, Role
from scheduling.selectors import availability as selectors
from scheduling.services import availability as services
from scheduling.wall_clock import ends_next_day

router = Router(tags=["availability"])
free_router = Router(tags=["availability"])


class PersonOut(UserBrief):
    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.display_name


class AvailabilityOut(Schema):
    id: int
    user: int
    user_details: PersonOut
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    is_available: bool
    crosses_midnight: bool = Field(description="true when end_time is on the next day")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_user(obj) -> int:
        return obj.user_id

    @staticmethod
    def resolve_user_details(obj):
        return obj.user


class AvailabilityFilters(Schema):
    user: int | None = None
    date: dt.date | None = None
    date_after: dt.date | None = Field(None, description="on or after")
    date_before: dt.date | None = Field(None, description="on or before")
    is_available: bool | None = None


class AvailabilityIn(Schema):
    user: int | None = Field(None, description="required for operators; staff may omit it (their own)")
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime = Field(..., description="before start_time means the next day (13:00-01:00)")
    is_available: bool = True


class AvailabilityEdit(Schema):
    user: int | None = Field(None, description="read-only: a slot cannot move to another person")
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    is_available: bool = True


class SlotIn(Schema):
    start_time: LocalTime
    end_time: LocalTime
    is_available: bool = True


class BulkIn(Schema):
    user: int | None = None
    date: dt.date
    slots: list[SlotIn] = Field(..., min_length=1, max_length=48)


class SlotError(Schema):
    index: int
    start_time: str
    end_time: str
    detail: str


class BulkOut(Schema):
    detail: str
    created: list[AvailabilityOut]
    errors: list[SlotError]


class CoveringSlotOut(Schema):
    id: int
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    crosses_midnight: bool


class FreeStaffOut(UserOut):
    availability: CoveringSlotOut = Field(description="the slot that covers the whole window")
    start_time: LocalTime = Field(description="the covering slot's start (the frontend reads it here)")
    end_time: LocalTime = Field(description="the covering slot's end")

    @staticmethod
    def resolve_start_time(obj):
        return obj.slot_start_time

    @staticmethod
    def resolve_end_time(obj):
        return obj.slot_end_time

    @staticmethod
    def resolve_availability(obj) -> dict:
        return {
            "id": obj.slot_id,
            "date": obj.slot_date,
            "start_time": obj.slot_start_time,
            "end_time": obj.slot_end_time,
            "crosses_midnight": ends_next_day(obj.slot_start_time, obj.slot_end_time),
        }


class WindowParams(Schema):
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime = Field(..., description="before start_time means the next day")
    checked_in: bool = Field(False, description="true: only people in now (checked in, not yet out; attendance)")


class TherapistWindowParams(WindowParams):
    specialization: str | None = Field(None, max_length=100, description="contains, ignoring case")
    massage_pressure: MassagePressure | None = None


def _visible_slot(request, slot_id: int):
    return get_object_or_404(selectors.availabilities_visible_to(request.auth), pk=slot_id)


@router.get("/", response=list[AvailabilityOut])
def list_availabilities(request, filters: Query[AvailabilityFilters]):
    """Availability slots (plain array).

    Operators see everyone's, staff their own; filter by user, date, date range and is_available."""
    slots = selectors.filter_availabilities(selectors.availabilities_visible_to(request.auth), **filters.dict())
    return schema_response(slots, list[AvailabilityOut])


@router.post("/", response={201: AvailabilityOut})
def create_availability(request, data: AvailabilityIn):
    """Add an availability slot.

    Staff add their own, operators anyone's (`user` required). An end at or before the start runs into the next day;
    an overlap with the person's other slots is a 409."""
    return Status(201, services.create_slot(request.auth, **data.dict()))


# 400: BulkOut when every slot was refused, Message when the request as a whole was (unknown or inactive user).
@router.post("/bulk_create/", response={201: BulkOut, 400: BulkOut | Message})
def bulk_create(request, data: BulkIn):
    """Add several slots for one day.

    Each slot is checked on its own: 201 with what was created and why the others were refused, or 400 when none was."""
    slots = [slot.dict() for slot in data.slots]
    result = services.bulk_create_slots(request.auth, user=data.user, date=data.date, slots=slots)
    detail = f"{len(result.created)} slot(s) created, {len(result.errors)} refused."
    body = {"detail": detail, "created": result.created, "errors": result.errors}
    return Status(201 if result.created else 400, body)


@router.get("/{int:slot_id}/", response=AvailabilityOut)
def get_availability(request, slot_id: int):
    """One availability slot.

    Staff see their own, operators anyone's (else a 404)."""
    return _visible_slot(request, slot_id)


@router.put("/{int:slot_id}/", response=AvailabilityOut)
def replace_availability(request, slot_id: int, data: AvailabilityEdit):
    """Replace an availability slot.

    The same rules as adding one."""
    return services.update_slot(request.auth, _visible_slot(request, slot_id), data.dict())


@router.patch("/{int:slot_id}/", response=AvailabilityOut)
def update_availability(request, slot_id: int, data: PatchDict[AvailabilityEdit]):
    """Change an availability slot.

    Only the fields given change; the same rules as adding one."""
    return services.update_slot(request.auth, _visible_slot(request, slot_id), dict(data))


@router.delete("/{int:slot_id}/", response={204: None})
def delete_availability(request, slot_id: int):
    """Delete an availability slot.

    Staff delete their own, operators anyone's; answers 204."""
    services.delete_slot(request.auth, _visible_slot(request, slot_id))
    return Status(204, None)


def available_therapists(request, params: Query[TherapistWindowParams]):
    """Therapists free for a window."""
    window = selectors.TimeWindow(params.date, params.start_time, params.end_time)
    free = selectors.free_staff(
        Role.THERAPIST,
        window,
        specialization=params.specialization,
        massage_pressure=params.massage_pressure,
        checked_in=params.checked_in,
    )
    return schema_response(free, list[FreeStaffOut])


def available_drivers(request, params: Query[WindowParams]):
    """Drivers free for a window."""
    window = selectors.TimeWindow(params.date, params.start_time, params.end_time)
    return schema_response(selectors.free_staff(Role.DRIVER, window, checked_in=params.checked_in), list[FreeStaffOut])


FREE_DOC = "Active {0} whose availability covers the whole window and who have no overlapping active appointment."
for _router, _suffix in ((router, ""), (free_router, "_at_scheduling")):
    _router.get(
        "/available_therapists/",
        response=list[FreeStaffOut],
        operation_id=f"available_therapists{_suffix}",
        description=FREE_DOC.format("therapists"),
    )(available_therapists)
    _router.get(
        "/available_drivers/",
        response=list[FreeStaffOut],
        operation_id=f"available_drivers{_suffix}",
        description=FREE_DOC.format("drivers"),
    )(available_drivers)
