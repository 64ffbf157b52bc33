"""Writes to availability slots. Operators manage anyone's slots, therapists and drivers only their own.

The database has the last word (exclusion constraint `availability_no_overlap`, trigger
`availability_staff_only`); these functions check first so the caller gets a message that names the problem.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from scheduling.errors import BadRequest, Conflict, DomainError, Forbidden, NotFound
from scheduling.models import Availability, Role, User
from scheduling.selectors.availability import check_not_zero_length, overlapping_slots


def _owner_for(actor: User, user_id: int | None) -> User:
    """The person whose slot `actor` writes: themself for staff, the named user for operators."""
    if not actor.is_operator:
        if user_id is not None and user_id != actor.pk:
            raise Forbidden("You can only manage your own availability.")
        return actor
    if user_id is None:
        raise BadRequest("user is required: operators have no slots of their own.", errors={"user": ["required"]})
    owner = User.objects.filter(pk=user_id).first()
    if owner is None:
        raise NotFound(f"User {user_id} not found.")
    return owner


def _check_may_write(actor: User, slot: Availability) -> None:
    """Operators write anyone's slot; therapists and drivers only their own."""
    if not actor.is_operator and slot.user_id != actor.pk:
        raise Forbidden("You can only manage your own availability.")


def _check_slot(owner: User, date: dt.date, start: dt.time, end: dt.time, *, exclude_id: int | None = None) -> None:
    if owner.role not in (Role.THERAPIST, Role.DRIVER):
        raise BadRequest("Only therapists and drivers have availability slots.", errors={"user": ["not staff"]})
    if not owner.is_active:
        raise BadRequest("This account is deactivated and can have no slots.", errors={"user": ["inactive"]})
    check_not_zero_length(start, end)
    clash = overlapping_slots(owner.pk, date, start, end, exclude_id=exclude_id)
    if clash:
        other = clash[0]
        raise Conflict(
            f"The slot overlaps slot {other.pk} of this person on {other.date:%Y-%m-%d} "
            f"{other.start_time:%H:%M}-{other.end_time:%H:%M}.",
            errors={"start_time": ["overlaps another slot"]},
        )


@transaction.atomic
def create_slot(
    actor: User, *, user: int | None, date: dt.date, start_time: dt.time, end_time: dt.time, is_available: bool = True
) -> Availability:
    owner = _owner_for(actor, user)
    _check_slot(owner, date, start_time, end_time)
    return Availability.objects.create(
        user=owner, date=date, start_time=start_time, end_time=end_time, is_available=is_available
    )


@transaction.atomic
def update_slot(actor: User, slot: Availability, changes: dict) -> Availability:
    _check_may_write(actor, slot)
    if "user" in changes and changes["user"] not in (None, slot.user_id):
        raise BadRequest("A slot cannot move to another person; delete it and create a new one.")
    for name in ("date", "start_time", "end_time", "is_available"):
        if changes.get(name) is not None:
            setattr(slot, name, changes[name])
    _check_slot(slot.user, slot.date, slot.start_time, slot.end_time, exclude_id=slot.pk)
    slot.save()
    return slot


def delete_slot(actor: User, slot: Availability) -> None:
    _check_may_write(actor, slot)
    slot.delete()


@dataclass
class BulkResult:
    created: list[Availability] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def bulk_create_slots(actor: User, *, user: int | None, date: dt.date, slots: list[dict]) -> BulkResult:
    """Create each slot on its own (a savepoint each): good ones are kept, each bad one is reported by index."""
    owner = _owner_for(actor, user)
    result = BulkResult()
    with transaction.atomic():
        for index, slot in enumerate(slots):
            try:
                with transaction.atomic():
                    result.created.append(
                        create_slot(
                            actor,
                            user=owner.pk,
                            date=date,
                            start_time=slot["start_time"],
                            end_time=slot["end_time"],
                            is_available=slot.get("is_available", True),
                        )
                    )
            except DomainError as exc:
                result.errors.append(_slot_error(index, slot, exc.detail))
            except IntegrityError:  # a concurrent writer got there first
                result.errors.append(_slot_error(index, slot, "The slot conflicts with another slot of this person."))
    return result


def _slot_error(index: int, slot: dict, detail: str) -> dict:
    return {
        "index": index,
        "start_time": slot["start_time"].strftime("%H:%M"),
        "end_time": slot["end_time"].strftime("%H:%M"),
        "detail": detail,
    }
