"""Clients: everyone reads, operators create, edit and delete (SPEC sections 5 and 6)."""

import datetime as dt

from ninja import Field, PatchDict, Query, Router, Schema, Status

from api.pagination import Page, PageParams, page_response
from api.schema_rendering import json_response
from scheduling.errors import BadRequest
from scheduling.selectors import catalog as selectors
from scheduling.services import catalog as services

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    phone_number: str
    email: str | None
    address: str
    notes: str
    created_at: dt.datetime


class ClientIn(Schema):
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field("", max_length=100)
    phone_number: str = Field(..., min_length=1, max_length=32)
    email: str | None = Field(None, max_length=254)
    address: str = Field("", max_length=2000)
    notes: str = Field("", max_length=5000)


class ClientFilters(Schema):
    search: str | None = Field(None, max_length=200, description="names, phone, email or address")


class DuplicateParams(Schema):
    phone_number: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)


class DuplicatesOut(Schema):
    has_duplicates: bool
    phone_number_exists: bool
    email_exists: bool
    duplicates: list[ClientOut]


@router.get("/", response=Page[ClientOut])
def list_clients(request, filters: Query[ClientFilters], pagination: Query[PageParams]):
    """Clients (paginated).

    Every word of `search` must match a name, the phone, the email or the address."""
    # Count and page rendered by PostgreSQL in one query (selectors.catalog.client_page); a page past the end is a 404.
    count, items = selectors.client_page(request.auth, filters.search, pagination.page, pagination.page_size)
    return page_response(request, pagination, count, items)


@router.get("/check_duplicates/", response=DuplicatesOut)
def check_duplicates(request, params: Query[DuplicateParams]):
    """Is a phone number or email taken?

    The clients that already have this phone number or email, so the booking form can offer them."""
    phone = (params.phone_number or "").strip()
    email = (params.email or "").strip()
    if not phone and not email:
        raise BadRequest("Give phone_number, email or both.", errors={"phone_number": ["or email is required"]})
    matches = selectors.duplicate_clients(phone_number=phone, email=email)
    phone_exists = bool(phone) and any(c.phone_number == phone for c in matches)
    email_exists = bool(email) and any((c.email or "").lower() == email.lower() for c in matches)
    return {
        "has_duplicates": bool(matches),
        "phone_number_exists": phone_exists,
        "email_exists": email_exists,
        "duplicates": matches,
    }


@router.get("/{int:client_id}/", response=ClientOut)
def get_client(request, client_id: int):
    """One client."""
    return json_response(selectors.client_row(request.auth, client_id))


@router.post("/", response={201: ClientOut})
def create_client(request, data: ClientIn):
    """Add a client (operator).

    A phone number or email already in use is a 409 naming the field."""
    return Status(201, services.create_client(request.auth, data.dict()))


@router.put("/{int:client_id}/", response=ClientOut)
def replace_client(request, client_id: int, data: ClientIn):
    """Replace a client (operator).

    The same rules as adding one."""
    return services.update_client(request.auth, client_id, data.dict())


@router.patch("/{int:client_id}/", response=ClientOut)
def update_client(request, client_id: int, data: PatchDict[ClientIn]):
    """Change a client (operator).

    Only the fields given change; the same rules as adding one."""
    return services.update_client(request.auth, client_id, dict(data))


@router.delete("/{int:client_id}/", response={204: None})
def delete_client(request, client_id: int):
    """Delete a client (operator).

    A client with appointments cannot be deleted (409): their history stays."""
    services.delete_client(request.auth, client_id)
    return Status(204, None)
