"""Parity of real responses with the declared OpenAPI schemas, for every GET route.

Several list endpoints bypass pydantic for speed (api/schema_rendering.py `schema_response`, JSON built by PostgreSQL), so
nothing at run time checks that what they send is what the schema says. This test does, strictly: every declared
required key present, no undeclared key, every value of the declared type and format, in populated data (nested
objects filled, optional ones both null and not)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from api.api import api
from scheduling.models import AppointmentRejection, AppointmentStatus, NotificationType, PaymentStatus
from scheduling.services import attendance as attendance_services
from tests import factories

SCHEMA = api.get_openapi_schema(path_prefix="/api/")
GET_ROUTES = [path for path, ops in SCHEMA["paths"].items() if "get" in ops]

FORMATS = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "date-time": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"),
    "partial-time": re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?$"),
}
JSON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def problems(value, schema: dict, where: str) -> list[str]:
    """Why `value` does not match `schema` (empty when it does): a strict subset of JSON Schema."""
    schema = resolve(schema)
    if "anyOf" in schema:
        options = [problems(value, option, where) for option in schema["anyOf"]]
        return [] if any(not p for p in options) else min(options, key=len)
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not one of {schema['enum']}"]
    kind = schema.get("type")
    if kind is None:
        return []  # `dict` / Any: anything goes
    kinds = kind if isinstance(kind, list) else [kind]
    matches = [
        k for k in kinds if isinstance(value, JSON_TYPES[k]) and not (k in ("integer", "number") and value is True)
    ]
    if not matches or (value is False and "boolean" not in kinds):
        return [f"{where}: {value!r} is not {kind}"]
    found: list[str] = []
    if isinstance(value, str) and (pattern := FORMATS.get(schema.get("format", ""))) and not pattern.match(value):
        found.append(f"{where}: {value!r} is not a {schema['format']}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += problems(item, schema.get("items", {}), f"{where}[{index}]")
    if isinstance(value, dict) and "properties" in schema:
        declared = schema["properties"]
        missing = set(schema.get("required", [])) - set(value)
        extra = set(value) - set(declared)
        found += [f"{where}: required key {k!r} missing" for k in sorted(missing)]
        found += [f"{where}: undeclared key {k!r}" for k in sorted(extra)]
        for key in set(value) & set(declared):
            found += problems(value[key], declared[key], f"{where}.{key}")
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            found += problems(item, schema["additionalProperties"], f"{where}.{key}")
    return found


def test_the_validator_catches_drift():
    """The checker itself can fail: a missing key, an extra key, a wrong type and a wrong format are caught."""
    service = {"$ref": "#/components/schemas/ServiceOut"}
    good = {
        "id": 1, "name": "Foot", "description": "", "duration": 60, "price": "500.00", "oil": "", "is_active": True,
    }  # fmt: skip
    assert problems(good, service, "$") == []
    assert problems({k: v for k, v in good.items() if k != "oil"}, service, "$")
    assert problems({**good, "secret": 1}, service, "$")
    assert problems({**good, "duration": "60"}, service, "$")
    slot = resolve({"$ref": "#/components/schemas/CoveringSlotOut"})
    assert problems(
        {"id": 1, "date": "2030-01-01", "start_time": "10:00:00+02:00", "end_time": "11:00:00", "crosses_midnight": 0},
        slot,
        "$",
    )


@pytest.fixture
def populated(make_operator, make_therapist, make_driver, make_client, make_service, make_appointment):
    """Rows whose optional parts are filled: a group booking with a driver, a rejection, paid revenue, a
    notification linked to an appointment, availability covering a window."""
    operator, therapist, other, driver = make_operator(), make_therapist(), make_therapist(), make_driver()
    today = timezone.localdate()
    services = [make_service(name="Shiatsu"), make_service(name="Hot Stone", duration=90, price=Decimal("675"))]
    client = make_client()
    group = make_appointment(
        therapist=therapist, driver=driver, operator=operator, client=client, date=today, services=services,
    )  # fmt: skip
    group.therapists.add(therapist, other)
    make_appointment(
        therapist=therapist, operator=operator, client=client, date=today - dt.timedelta(days=1),
        start_time=dt.time(14), end_time=dt.time(15), status=AppointmentStatus.COMPLETED,
        payment_status=PaymentStatus.PAID, payment_method="cash", payment_amount=Decimal("500"),
    )  # fmt: skip
    rejected = make_appointment(
        therapist=therapist, operator=operator, client=client, date=today + dt.timedelta(days=1),
        status=AppointmentStatus.REJECTED,
    )  # fmt: skip
    AppointmentRejection.objects.create(appointment=rejected, reason="sick", rejected_by=therapist)
    for days, status in enumerate(
        [AppointmentStatus.AWAITING_PAYMENT, AppointmentStatus.AUTO_CANCELLED, AppointmentStatus.PICKUP_REQUESTED]
    ):
        make_appointment(
            therapist=therapist, operator=operator, client=client, date=today - dt.timedelta(days=days + 2),
            status=status,
        )  # fmt: skip
    for user in (operator, therapist):
        factories.NotificationFactory(user=user, appointment=group, notification_type=NotificationType.SYSTEM)
        factories.NotificationFactory(user=user)
    slot = factories.AvailabilityFactory(user=therapist, date=today + dt.timedelta(days=2))
    record = attendance_services.check_in(therapist)
    attendance_services.check_out(therapist, at=record.check_in_time + dt.timedelta(hours=1))
    attendance_services.approve(operator, record.pk)
    factories.AvailabilityFactory(user=driver, date=today + dt.timedelta(days=2))
    ids = {
        "appointment_id": group.pk,
        "slot_id": slot.pk,
        "staff_id": therapist.pk,
        "client_id": client.pk,
        "service_id": services[0].pk,
        "record_id": record.pk,
    }
    window = {"date": (today + dt.timedelta(days=2)).isoformat(), "start_time": "09:00", "end_time": "10:00"}
    return {"operator": operator, "therapist": therapist, "ids": ids, "today": today, "window": window}


def query_for(path: str, world) -> dict:
    if "available_" in path:
        return world["window"]
    if path.endswith("/by_week/"):
        return {"week_start": world["today"].isoformat()}
    if path.endswith("/check_duplicates/"):
        return {"phone_number": factories.models.Client.objects.first().phone_number}
    if "/reports/" in path:
        return {"date_after": (world["today"] - dt.timedelta(days=7)).isoformat()}
    return {}


@pytest.mark.parametrize("role", ["operator", "therapist"])
def test_every_read_route_answers_what_its_schema_declares(api_client, populated, role):
    """One populated world, every GET route of the schema (a new route is checked the day it is mounted)."""
    client = api_client(populated[role])
    ids = {
        **populated["ids"],
        "notification_id": populated[role].notifications.filter(appointment__isnull=False).first().pk,
    }
    found, empty, checked = [], [], 0
    for path in GET_ROUTES:
        if (
            "/reports/" in path or path == "/api/attendance/summary/" or path.endswith("/history/")
        ) and role != "operator":
            continue  # operators only; the role matrix checks the 403
        declared = SCHEMA["paths"][path]["get"]["responses"][200]["content"]["application/json"]["schema"]
        response = client.get(path.format(**ids), query_for(path, populated))
        assert response.status_code == 200, (path, response.content[:300])
        body = response.json()
        found += problems(body, declared, f"GET {path} $")
        rows = body.get("results", body.get("staff", body)) if isinstance(body, dict) else body
        if rows in ([], {}):
            empty.append(path)
        checked += 1
    assert checked >= 30, f"only {checked} routes checked"
    assert not found, f"{role}: responses drifted from their schemas:\n" + "\n".join(found[:30])
    assert not empty, f"{role}: these answered no rows, so parity saw nothing (populate the fixture): {empty}"
