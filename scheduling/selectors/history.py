"""Reads of the change history (issue 17): operators only, through the appointment_changes view (unmasked)."""

from django.db.models import QuerySet

from scheduling.errors import Forbidden, NotFound
from scheduling.models import Appointment, AppointmentChange, User
from scheduling.selectors.appointments import appointments_visible_to

NEWEST_FIRST = ("-changed_at", "-seq", "-event_id")


def appointment_changes_for(user: User, appointment_id: int) -> QuerySet[AppointmentChange]:
    """The recorded changes of one appointment, newest first. Operators only: a therapist or driver gets 404 for
    an appointment they may not see (SPEC section 5: invisible rows stay invisible) and 403 for their own. A
    deleted appointment keeps its history (the operator's audit trail); `check_exists` tells an empty history
    from an id that never existed."""
    if not user.is_operator:
        if not appointments_visible_to(user).filter(id=appointment_id).exists():
            raise NotFound(f"Appointment {appointment_id} not found.")
        raise Forbidden("Only a operator may read an appointment's change history.")
    return AppointmentChange.objects.filter(appointment_id=appointment_id).order_by(*NEWEST_FIRST)


def check_exists(appointment_id: int) -> None:
    """Called only when the history is empty (so the usual request stays at one count and one page query)."""
    if not Appointment.objects.filter(id=appointment_id).exists():
        raise NotFound(f"Appointment {appointment_id} not found.")
