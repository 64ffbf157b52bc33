"""Staff: everyone reads, operators create, edit, deactivate and reactivate (SPEC sections 5 and 6)."""

from typing import Literal

from ninja import Field, PatchDict, Query, Router, Schema, Status
from pydantic import ConfigDict

from api.pagination import Page, PageParams, page_response
from api.schema_rendering import json_response
from api.schemas import UserOut
from scheduling.models import MassagePressure, Role
from scheduling.selectors import staff as staff_selectors
from scheduling.services import staff as staff_services

router = Router(tags=["staff"])
# PATCH /api/toggle-account-status/{id}/: the staff screen's activate/deactivate switch (CONTRACT.md section 2).
account_router = Router(tags=["staff"])


class StaffFilters(Schema):
    role: Role | None = None
    is_active: bool | None = None
    search: str | None = Field(None, max_length=200, description="names, email, role or username")


class ActiveStaffParams(Schema):
    role: Role | None = None


class StaffProfile(Schema):
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)
    specialization: str = Field("", max_length=100)
    massage_pressure: MassagePressure | Literal[""] | None = Field(None, description="therapists; blank for none")
    license_number: str = Field("", max_length=64, description="required for therapists")
    motorcycle_plate: str = Field("", max_length=32, description="required for drivers")


class StaffIn(StaffProfile):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=128)
    role: Role


class StaffEdit(StaffProfile):
    """Profile edits. The role is fixed at creation and activation has its own endpoints: other keys are refused."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = Field(None, description="read-only: must equal the current role")
    username: str | None = Field(None, min_length=1, max_length=150)
    password: str | None = Field(None, min_length=1, max_length=128, description="set a new password")


class ActiveStaffFilter(Schema):
    role: str | None
    is_active: bool


class ActiveStaffOut(Schema):
    staff: list[UserOut]
    count: int
    filter: ActiveStaffFilter


@router.get("/", response=Page[UserOut])
def list_staff(request, filters: Query[StaffFilters], pagination: Query[PageParams]):
    """Staff (paginated).

    Ordered by role, then name; filter by role and is_active, search names, email, role and username. The page is
    built by PostgreSQL in one query."""
    count, items = staff_selectors.staff_page(
        request.auth, page=pagination.page, size=pagination.page_size, **filters.dict()
    )
    return page_response(request, pagination, count, items)


@router.get("/active_staff/", response=ActiveStaffOut)
def active_staff(request, params: Query[ActiveStaffParams]):
    """Active staff, optionally of one role.

    `{staff, count, filter}`, unpaginated (the booking form's pickers). One query."""
    count, staff = staff_selectors.active_staff(request.auth, params.role)
    role = params.role.value if params.role else None
    return json_response({"staff": staff, "count": count, "filter": {"role": role, "is_active": True}})


@router.get("/{int:staff_id}/", response=UserOut)
def get_staff(request, staff_id: int):
    """One staff member's profile.

    Never a password hash or a token."""
    return json_response(staff_selectors.staff_member(request.auth, staff_id))


@router.post("/", response={201: UserOut})
def create_staff(request, data: StaffIn):
    """Add a staff member (operator).

    Therapists need a license_number, drivers a motorcycle_plate; a username or email in use is a 409 naming the
    field."""
    fields = data.dict()
    fields["massage_pressure"] = fields["massage_pressure"] or ""
    return Status(201, staff_services.create_staff(request.auth, **fields))


def _edit(request, staff_id: int, changes: dict):
    if changes.get("username") is None:
        changes.pop("username", None)
    if "massage_pressure" in changes:
        changes["massage_pressure"] = changes["massage_pressure"] or ""
    return staff_services.update_staff(request.auth, staff_id, changes)


@router.put("/{int:staff_id}/", response=UserOut)
def replace_staff(request, staff_id: int, data: StaffEdit):
    """Replace the profile: omitted profile fields become blank; username and password are kept when omitted."""
    changes = {name: value for name, value in data.dict().items() if value is not None or name == "massage_pressure"}
    return _edit(request, staff_id, changes)


@router.patch("/{int:staff_id}/", response=UserOut)
def update_staff(request, staff_id: int, data: PatchDict[StaffEdit]):
    """Change a staff member's profile (operator).

    Only the fields given change; the role is fixed, another operator's account is not editable."""
    return _edit(request, staff_id, dict(data))


@router.post("/{int:staff_id}/deactivate/", response=UserOut)
def deactivate_staff(request, staff_id: int):
    """Deactivate a staff member (operator).

    Not yourself, not another operator; their tokens are revoked."""
    return staff_services.set_staff_active(request.auth, staff_id, False)


@router.post("/{int:staff_id}/reactivate/", response=UserOut)
def reactivate_staff(request, staff_id: int):
    """Reactivate a staff member (operator)."""
    return staff_services.set_staff_active(request.auth, staff_id, True)


class ToggledOut(Schema):
    message: str
    user: UserOut


@account_router.patch(
    "/{int:staff_id}/",
    response=ToggledOut,
    summary="Flip a therapist's or driver's account between active and inactive (operator)",
)
def toggle_account_status(request, staff_id: int):
    """The frontend's staff screen: a deactivated therapist or driver is reactivated and the other way round, with the
    same rules as deactivate/ and reactivate/; answers `{message, user}`."""
    user = staff_services.toggle_staff_active(request.auth, staff_id)
    state = "activated" if user.is_active else "deactivated"
    return {"message": f"The account of {user.username} was {state}.", "user": user}
