"""Who may do what (SPEC section 5): every role rule of the application, in one module.

Write services call `require(actor, RULE)` (or `require_role` with a lifecycle step's roles) before they touch a
row: the acting user is every write service's first argument. The selectors of the reads only some roles may
make (reports, the attendance summary, an appointment's change history) call it too. The API checks no role
(tests/services/test_permissions.py holds it to that). A refusal is a 403 whose message says who may; what a user may
see at all (else 404) stays with the selectors' `*_visible_to`.

The messages are the answers the API has always given ("Only a operator may ..." included): clients read them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from scheduling.errors import Forbidden
from scheduling.models import Role, User

OPERATORS = (Role.OPERATOR.value,)
STAFF = (Role.THERAPIST.value, Role.DRIVER.value)


@dataclass(frozen=True)
class Rule:
    """The roles allowed to do `action`; `refusal` overrides the message built from them."""

    roles: tuple[str, ...]
    action: str
    refusal: str = ""

    def message(self) -> str:
        return self.refusal or only(self.roles, self.action)


def only(roles: Iterable[str], action: str) -> str:
    return f"Only a {' or '.join(roles)} may {action}."


def _operators(action: str, refusal: str = "") -> Rule:
    return Rule(OPERATORS, action, refusal)


# Staff accounts, clients and the service catalogue: everyone reads, operators write.
CREATE_STAFF = _operators("create staff")
EDIT_STAFF = _operators("edit staff")
DEACTIVATE_STAFF = _operators("deactivate staff")
REACTIVATE_STAFF = _operators("reactivate staff")
TOGGLE_STAFF = _operators("activate or deactivate staff")
CREATE_CLIENTS = _operators("create clients")
EDIT_CLIENTS = _operators("edit clients")
DELETE_CLIENTS = _operators("delete clients")
CREATE_SERVICES = _operators("create services")
EDIT_SERVICES = _operators("edit services")
DEACTIVATE_SERVICES = _operators("deactivate services")
DELETE_SERVICES = _operators("delete services")
# Appointments outside the lifecycle table (its steps carry their own roles, scheduling/lifecycle.py).
BOOK_APPOINTMENT = _operators("book an appointment")
EDIT_APPOINTMENT = _operators("edit an appointment")
DELETE_APPOINTMENT = _operators("delete an appointment")
# Reads for operators only.
READ_REPORTS = _operators("read reports")
READ_HISTORY = _operators("read an appointment's change history")
READ_ATTENDANCE_SUMMARY = _operators("", "Only an operator may read the attendance summary.")
# Attendance: staff check in and out, operators decide.
CHECK_IN = Rule(STAFF, "check in", "Only a therapist or driver may check in; operators do not check in.")
CHECK_OUT = Rule(STAFF, "check out", "Only a therapist or driver may check out; operators do not check in.")
APPROVE_ATTENDANCE = _operators("", "Only an operator may approve attendance.")
CORRECT_ATTENDANCE = _operators("", "Only an operator may edit attendance records.")
MARK_ABSENT = _operators("", "Only an operator may mark staff absent.")
# Availability: operators manage anyone's slots, therapists and drivers their own.
OWN_AVAILABILITY_ONLY = "You can only manage your own availability."


def refuse(detail: str, *, code: str | None = None) -> Forbidden:
    """The one place a permission refusal (403) is made."""
    return Forbidden(detail, code=code)


def require(user: User, rule: Rule) -> None:
    if user.role not in rule.roles:
        raise refuse(rule.message())


def require_role(user: User, roles: Iterable[str], action: str) -> None:
    """For the lifecycle table's steps, whose roles live with the step."""
    roles = tuple(roles)
    if user.role not in roles:
        raise refuse(only(roles, action))


def sees_every_appointment(user: User) -> bool:
    """Operators' appointment reads are unscoped, so their counts may come from the whole-table counters."""
    return user.role == Role.OPERATOR


def require_own_slot(actor: User, owner_id: int) -> None:
    """Operators write anyone's availability; therapists and drivers only their own."""
    if actor.role != Role.OPERATOR and owner_id != actor.pk:
        raise refuse(OWN_AVAILABILITY_ONLY)


def require_may_manage_account(actor: User, target: User, action: str) -> None:
    """(De)activation: never one's own account, never another operator's."""
    if target.pk == actor.pk:
        raise refuse(f"You cannot {action} your own account.", code="NOT_ALLOWED")
    if target.role == Role.OPERATOR:
        raise refuse(f"You cannot {action} another operator.", code="NOT_ALLOWED")


def require_may_edit_account(actor: User, target: User) -> None:
    """Profile edits: an operator edits therapists, drivers and themself, not another operator."""
    if target.role == Role.OPERATOR and target.pk != actor.pk:
        raise refuse("You cannot edit another operator.")
