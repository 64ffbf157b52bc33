"""Writes to clients and services (operators only)."""

import functools
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from scheduling.errors import Conflict, DomainError
from scheduling.models import Client, Service
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


@transaction.atomic
def create_client(data: dict, *, duplicate_as: type[DomainError] = Conflict) -> Client:
    """duplicate_as: the error a duplicate phone or e-mail raises (409 here; 400 on the previous backend's route)."""
    return _write(Client(), data, _apply_client, functools.partial(_check_client, duplicate_as=duplicate_as))


@transaction.atomic
def update_client(client: Client, changes: dict) -> Client:
    return _write(client, changes, _apply_client, _check_client)


@transaction.atomic
def delete_client(client: Client) -> None:
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


@transaction.atomic
def create_service(data: dict) -> Service:
    return _write(Service(), data, _apply_service, _check_service)


@transaction.atomic
def update_service(service: Service, changes: dict) -> Service:
    return _write(service, changes, _apply_service, _check_service)


@transaction.atomic
def remove_service(service: Service) -> bool:
    """Delete a service nobody booked; deactivate one that appointments use (their history keeps it).
    Returns True when the row was deleted."""
    if service.appointments.exists():
        if service.is_active:
            service.is_active = False
            service.save(update_fields=["is_active"])
        return False
    service.delete()
    return True
