"""Writes to clients and services: operators only (scheduling.services.permissions)."""

import functools
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404

from scheduling.errors import Conflict, DomainError
from scheduling.models import Client, Service, User
from scheduling.selectors.catalog import clients_visible_to, services_visible_to
from scheduling.services import permissions
from scheduling.services.transactions import transactional
from scheduling.services.validation import breaks, invalid_input

CLIENT_FIELDS = ("first_name", "last_name", "phone_number", "email", "address", "notes")
CENTS = Decimal("0.01")
SERVICE_FIELDS = ("name", "description", "duration", "price", "oil", "is_active")


def _check_client(client: Client, duplicate_as: type[DomainError] = Conflict) -> None:
    errors: dict[str, list[str]] = {}
    if not client.first_name:
        errors["first_name"] = ["This field is required."]
    if not client.phone_number:
        errors["phone_number"] = ["This field is required."]
    if client.email:
        try:
            validate_email(client.email)
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
    if errors:
        raise invalid_input(errors)
    others = Client.objects.exclude(pk=client.pk)
    if others.filter(phone_number=client.phone_number).exists():
        raise duplicate_as(
            "phone_number: a client with this phone number already exists.",
            errors={"phone_number": ["A client with this phone number already exists."]},
        )
    if client.email and others.filter(email__iexact=client.email).exists():
        raise duplicate_as(
            "email: a client with this email already exists.",
            errors={"email": ["A client with this email already exists."]},
        )


def _apply_client(client: Client, data: dict) -> None:
    for name in CLIENT_FIELDS:
        if name in data:
            value = data[name]
            value = value.strip() if isinstance(value, str) else value
            if name == "email":
                value = value or None  # NULL, not "": many clients have no email
            setattr(client, name, value if value is not None or name == "email" else "")


def _write(row, data: dict, apply, check):
    """Apply the fields, check them (the friendly message before the database's), save."""
    apply(row, data)
    check(row)
    row.save()
    return row


@transactional
def create_client(actor: User, data: dict, *, duplicate_as: type[DomainError] = Conflict) -> Client:
    """duplicate_as: the error a duplicate phone or e-mail raises (409 here; 400 on the previous backend's route)."""
    permissions.require(actor, permissions.CREATE_CLIENTS)
    return _write(Client(), data, _apply_client, functools.partial(_check_client, duplicate_as=duplicate_as))


@transactional
def update_client(actor: User, client_id: int, changes: dict) -> Client:
    permissions.require(actor, permissions.EDIT_CLIENTS)
    client = get_object_or_404(clients_visible_to(actor), pk=client_id)
    return _write(client, changes, _apply_client, _check_client)


@transactional
def delete_client(actor: User, client_id: int) -> None:
    permissions.require(actor, permissions.DELETE_CLIENTS)
    client = get_object_or_404(clients_visible_to(actor), pk=client_id)
    count = client.appointments.count()
    if count:
        raise Conflict(f"The client has {count} appointment(s) and cannot be deleted; their history is kept.")
    client.delete()


def _check_service(service: Service) -> None:
    errors: dict[str, list[str]] = {}
    if not service.name:
        errors["name"] = ["This field is required."]
    if errors:
        raise invalid_input(errors)
    if breaks(service, "service_name_unique_ci"):
        raise Conflict(f"name: a service named {service.name!r} already exists.", errors={"name": ["taken"]})


def _apply_service(service: Service, data: dict) -> None:
    for name in SERVICE_FIELDS:
        if name in data and data[name] is not None:
            value = data[name]
            if name == "price":
                value = Decimal(value).quantize(CENTS)  # answer "700.00", as the column stores it
            setattr(service, name, value.strip() if isinstance(value, str) else value)


def _service(actor: User, service_id: int) -> Service:
    return get_object_or_404(services_visible_to(actor, include_inactive=True), pk=service_id)


@transactional
def create_service(actor: User, data: dict) -> Service:
    permissions.require(actor, permissions.CREATE_SERVICES)
    return _write(Service(), data, _apply_service, _check_service)


@transactional
def update_service(actor: User, service_id: int, changes: dict) -> Service:
    permissions.require(actor, permissions.EDIT_SERVICES)
    return _write(_service(actor, service_id), changes, _apply_service, _check_service)


@transactional
def deactivate_service(actor: User, service_id: int) -> Service:
    permissions.require(actor, permissions.DEACTIVATE_SERVICES)
    return _write(_service(actor, service_id), {"is_active": False}, _apply_service, _check_service)


@transactional
def remove_service(actor: User, service_id: int) -> tuple[Service, bool]:
    """Delete a service nobody booked; deactivate one that appointments use (their history keeps it).
    Returns the service and whether its row was deleted."""
    permissions.require(actor, permissions.DELETE_SERVICES)
    service = _service(actor, service_id)
    if service.appointments.exists():
        if service.is_active:
            service.is_active = False
            service.save(update_fields=["is_active"])
        return service, False
    service.delete()
    return service, True
