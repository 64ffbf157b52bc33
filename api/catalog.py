"""Services (the catalogue): everyone reads the active ones, operators manage them (SPEC sections 5 and 6).

DELETE removes a service nobody has booked; a service that appointments use is deactivated instead (200 with
`deleted: false`), so past bookings keep their prices and durations.
"""

from decimal import Decimal

from ninja import Field, PatchDict, Query, Router, Schema, Status

from api.schema_rendering import json_response
from scheduling.selectors import catalog as selectors
from scheduling.services import catalog as services

router = Router(tags=["services"])


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration: int = Field(description="minutes")
    price: Decimal
    oil: str
    is_active: bool


class ServiceIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    duration: int = Field(..., gt=0, le=24 * 60, description="minutes")
    price: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2)
    oil: str = Field("", max_length=100)
    is_active: bool = True


class ServiceFilters(Schema):
    include_inactive: bool = Field(False, description="operators only; ignored for others")


class ServiceRemovedOut(Schema):
    detail: str
    deleted: bool
    service: ServiceOut | None


@router.get("/", response=list[ServiceOut])
def list_services(request, filters: Query[ServiceFilters]):
    """The services (plain array).

    Active ones; operators may ask for the inactive ones too."""
    # Rendered by PostgreSQL in one query (selectors.catalog.service_rows).
    return json_response(selectors.service_rows(request.auth, include_inactive=filters.include_inactive))


@router.get("/{int:service_id}/", response=ServiceOut)
def get_service(request, service_id: int):
    """One service."""
    # An inactive one only for operators; rendered by PostgreSQL in one query (selectors.catalog.service_row).
    return json_response(selectors.service_row(request.auth, service_id))


@router.post("/", response={201: ServiceOut})
def create_service(request, data: ServiceIn):
    """Add a service (operator).

    A name in use is a 409."""
    return Status(201, services.create_service(request.auth, data.dict()))


@router.put("/{int:service_id}/", response=ServiceOut)
def replace_service(request, service_id: int, data: ServiceIn):
    """Replace a service (operator)."""
    return services.update_service(request.auth, service_id, data.dict())


@router.patch("/{int:service_id}/", response=ServiceOut)
def update_service(request, service_id: int, data: PatchDict[ServiceIn]):
    """Change a service (operator).

    Only the fields given change."""
    return services.update_service(request.auth, service_id, dict(data))


@router.post("/{int:service_id}/deactivate/", response=ServiceOut)
def deactivate_service(request, service_id: int):
    """Deactivate a service (operator).

    It is no longer offered for new bookings; existing ones keep it."""
    return services.deactivate_service(request.auth, service_id)


@router.delete("/{int:service_id}/", response=ServiceRemovedOut)
def delete_service(request, service_id: int):
    """Delete a service (operator).

    An unused service is deleted; one in use is deactivated instead (`deleted: false`)."""
    service, deleted = services.remove_service(request.auth, service_id)
    if deleted:
        return {"detail": f"Service {service.name!r} deleted.", "deleted": True, "service": None}
    return {
        "detail": f"Service {service.name!r} is used by appointments, so it was deactivated instead of deleted.",
        "deleted": False,
        "service": service,
    }
