"""/api/registration/register/<kind>/: the previous backend's data-entry routes, which the frontend still calls
(CONTRACT.md section 2), on the same services as our own routes:

- `client/`: GET = GET /api/scheduling/clients/ (paginated, `search`), POST = creating a client, except that a
  duplicate phone or e-mail is a 400 with its field map, as the previous backend answered;
- `therapist/`, `driver/`: GET = the staff list of that role (paginated, `search`, `is_active`), POST = creating a
  staff member of that role (operators; license_number for therapists, motorcycle_plate for drivers).
"""

from ninja import Field, Query, Router, Schema, Status

from api.clients import ClientIn, ClientOut, list_clients
from api.pagination import Page, PageParams, page_response
from api.schemas import UserOut
from api.staff import StaffProfile
from scheduling.errors import BadRequest
from scheduling.models import Role
from scheduling.selectors import staff as staff_selectors
from scheduling.services import catalog
from scheduling.services import staff as staff_services

router = Router(tags=["registration (previous backend's routes)"])

router.add_api_operation(
    "/client/",
    ["GET"],
    list_clients,
    response=Page[ClientOut],
    summary="Clients (paginated, search): the same as GET /api/scheduling/clients/",
    operation_id="registration_list_clients",
)


@router.post("/client/", response={201: ClientOut}, summary="Create a client (a duplicate is a 400 here)")
def register_client(request, data: ClientIn):
    """Operators add a client, as POST /api/scheduling/clients/ does, except that a phone number or email in use is a
    400 with a field map here (what the frontend's form reads)."""
    return Status(201, catalog.create_client(request.auth, data.dict(), duplicate_as=BadRequest))


class RoleStaffFilters(Schema):
    is_active: bool | None = None
    search: str | None = Field(None, max_length=200, description="names, email, role or username")


class RoleStaffIn(StaffProfile):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=128)
    phone_number: str | None = Field(None, max_length=32, description="the frontend's name for phone")


def _register_routes(role: Role) -> None:
    def list_role(request, filters: Query[RoleStaffFilters], pagination: Query[PageParams]):
        """Staff of this role (paginated), filtered by is_active and search: the frontend's data page, the same as GET
        /api/scheduling/staff/?role=... (one query, rendered by PostgreSQL)."""
        count, items = staff_selectors.staff_page(
            request.auth, page=pagination.page, size=pagination.page_size, role=role, **filters.dict()
        )
        return page_response(request, pagination, count, items)

    def create_role(request, data: RoleStaffIn):
        """Operators create a staff member of this role, as POST /api/scheduling/staff/ does (therapists need a
        license_number, drivers a motorcycle_plate)."""
        fields = data.dict()
        phone_number = fields.pop("phone_number")
        fields["phone"] = fields["phone"] or phone_number or ""
        fields["massage_pressure"] = fields["massage_pressure"] or ""
        return Status(201, staff_services.create_staff(request.auth, role=role, **fields))

    path = f"/{role.value}/"
    router.add_api_operation(
        path,
        ["GET"],
        list_role,
        response=Page[UserOut],
        summary=f"Staff with role {role.value} (paginated): GET /api/scheduling/staff/?role={role.value}",
        operation_id=f"registration_list_{role.value}s",
    )
    router.add_api_operation(
        path,
        ["POST"],
        create_role,
        response={201: UserOut},
        summary=f"Create a {role.value}: POST /api/scheduling/staff/ with role {role.value}",
        operation_id=f"registration_create_{role.value}",
    )


_register_routes(Role.THERAPIST)
_register_routes(Role.DRIVER)
