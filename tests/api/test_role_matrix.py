"""Role scoping across the WHOLE API (SPEC sections 5 and 10), route by route from the OpenAPI schema, so a new
route is covered the day it is mounted (and a new write route must be classified below before the suite passes).

The world: one operator, therapists A and B, drivers A and B. The appointment is therapist A's and driver A's,
the slot and the notification are therapist A's. Path ids are filled with A's objects; B must get 404 for them.
"""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from api.api import api
from scheduling.models import AuthToken
from scheduling.services import attendance as attendance_services
from scheduling.services import permissions

SCHEMA = api.get_openapi_schema(path_prefix="/api/")
ROLES = ("operator", "therapist", "driver", "therapist_b", "driver_b")
STAFF_ROLES = ROLES[1:]


def operations(methods: set[str]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path) for path, ops in SCHEMA["paths"].items() for method in ops if method.upper() in methods
    ]


GET_ROUTES = operations({"GET"})
WRITE_ROUTES = operations({"POST", "PUT", "PATCH", "DELETE"})

# Read routes only operators may call (SPEC section 6: reports are for operators; the attendance summary counts
# everyone).
OPERATOR_ONLY_READS = re.compile(r"^/api/scheduling/reports/|^/api/attendance/summary/")
# Operator-only reads of one appointment (its change history): staff who may see it get 403, others 404.
OPERATOR_ONLY_APPOINTMENT_READS = re.compile(r"^/api/scheduling/appointments/\{appointment_id\}/history/$")

# Values for required query parameters, by name; a new required parameter must get one here.
QUERY_SAMPLES = {"week_start": "TODAY", "date": "TODAY", "start_time": "09:00", "end_time": "10:00"}
EXTRA_QUERY = {"/api/scheduling/clients/check_duplicates/": {"phone_number": "+639170000000"}}

A = "/api/scheduling/appointments/{appointment_id}/"
OPERATOR_ONLY_WRITES = {
    ("POST", "/api/scheduling/appointments/"),
    ("PUT", A),
    ("PATCH", A),
    ("DELETE", A),
    ("POST", "/api/scheduling/appointments/auto_cancel_overdue/"),
    ("POST", A + "start_appointment/"),
    ("POST", A + "mark_completed/"),
    ("POST", A + "assign_pickup_driver/"),
    ("POST", A + "review_rejection/"),
    ("POST", A + "cancel/"),
    ("POST", A + "auto_cancel/"),
    ("POST", "/api/scheduling/staff/"),
    ("PUT", "/api/scheduling/staff/{staff_id}/"),
    ("PATCH", "/api/scheduling/staff/{staff_id}/"),
    ("POST", "/api/scheduling/staff/{staff_id}/deactivate/"),
    ("POST", "/api/scheduling/staff/{staff_id}/reactivate/"),
    ("POST", "/api/scheduling/clients/"),
    ("PUT", "/api/scheduling/clients/{client_id}/"),
    ("PATCH", "/api/scheduling/clients/{client_id}/"),
    ("DELETE", "/api/scheduling/clients/{client_id}/"),
    ("POST", "/api/scheduling/services/"),
    ("PUT", "/api/scheduling/services/{service_id}/"),
    ("PATCH", "/api/scheduling/services/{service_id}/"),
    ("DELETE", "/api/scheduling/services/{service_id}/"),
    ("POST", "/api/scheduling/services/{service_id}/deactivate/"),
    ("PATCH", "/api/attendance/records/{record_id}/"),
    ("POST", "/api/attendance/approve/{record_id}/"),
    ("POST", "/api/attendance/mark-absent/"),
    ("POST", "/api/registration/register/client/"),
    ("POST", "/api/registration/register/therapist/"),
    ("POST", "/api/registration/register/driver/"),
    ("PATCH", "/api/toggle-account-status/{staff_id}/"),
}
# Writes on one row of A's, allowed to the roles named: the other staff get 404 (right role) or 403 (wrong one).
APPOINTMENT_ACTIONS = {
    "therapist_confirm": {"therapist"},
    "driver_confirm": {"driver"},
    "start_journey": {"driver"},
    "arrive_at_location": {"driver"},
    "drop_off_therapist": {"driver"},
    "start_session": {"therapist"},
    "mark_awaiting_payment": {"therapist"},
    "complete": {"therapist", "driver"},
    "request_pickup": {"therapist"},
    "reject_pickup": {"driver"},
    "confirm_pickup": {"driver"},
    "complete_return_journey": {"driver"},
    "reject": {"therapist", "driver"},
}
# Writes on the caller's own rows only (no id of anyone else's can be named): nothing to scope.
OWN_WRITES = {
    ("POST", "/api/auth/login/"),
    ("POST", "/api/auth/logout/"),
    ("POST", "/api/auth/verify-email/"),
    ("POST", "/api/auth/resend-verification/"),
    ("PUT", "/api/auth/profile/"),
    ("PATCH", "/api/auth/profile/"),
    ("POST", "/api/scheduling/availabilities/"),
    ("POST", "/api/scheduling/availabilities/bulk_create/"),
    ("POST", "/api/scheduling/notifications/mark_all_as_read/"),
    ("POST", "/api/scheduling/notifications/delete_read/"),
    ("DELETE", "/api/scheduling/notifications/delete_read/"),
    ("POST", "/api/scheduling/notifications/delete_all/"),
    ("DELETE", "/api/scheduling/notifications/delete_all/"),
    ("POST", "/api/attendance/check-in/"),
    ("POST", "/api/attendance/check-out/"),
}
SCOPED_WRITES = {(m, p) for m, p in WRITE_ROUTES if "{slot_id}" in p or "{notification_id}" in p} | {
    ("POST", f"{A}{action}/") for action in APPOINTMENT_ACTIONS
}


@pytest.fixture
def world(make_operator, make_therapist, make_driver, make_client, make_service, make_appointment, api_client):
    from tests import factories

    people = {
        "operator": make_operator(),
        "therapist": make_therapist(),
        "driver": make_driver(),
        "therapist_b": make_therapist(),
        "driver_b": make_driver(),
    }
    today = timezone.localdate()
    service = make_service(name="Shiatsu")
    appointment = make_appointment(
        therapist=people["therapist"], driver=people["driver"], operator=people["operator"], date=today,
        client=make_client(), services=[service],
    )  # fmt: skip
    slot = factories.AvailabilityFactory(user=people["therapist"], date=today)
    factories.AvailabilityFactory(user=people["driver"], date=today)
    notification = factories.NotificationFactory(user=people["therapist"], appointment=appointment)
    attendance = attendance_services.check_in(people["therapist"])
    factories.NotificationFactory(user=people["driver"], appointment=appointment)
    ids = {
        "appointment_id": appointment.pk,
        "slot_id": slot.pk,
        "notification_id": notification.pk,
        "staff_id": people["therapist"].pk,
        "client_id": appointment.client_id,
        "service_id": service.pk,
        "record_id": attendance.pk,
    }
    clients = {role: api_client(user) for role, user in people.items()}
    clients["anonymous"] = api_client()
    return {"people": people, "ids": ids, "clients": clients, "today": today}


@pytest.fixture
def refusals(monkeypatch) -> list[str]:
    """The messages of the 403s the permission module made: every role check lives there, none in api/."""
    made: list[str] = []
    original = permissions.refuse

    def recording(detail: str, **kwargs):
        made.append(detail)
        return original(detail, **kwargs)

    monkeypatch.setattr(permissions, "refuse", recording)
    return made


def not_from_permissions(response, refusals: list[str]) -> bool:
    """A 403 whose refusal the permission module did not make (refusals is emptied for the next call)."""
    made = list(refusals)
    refusals.clear()
    return response.status_code == 403 and response.json()["detail"] not in made


def url_for(path: str, ids: dict) -> str:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in ids]
    assert not missing, f"{path}: the role matrix has no id for {missing}; add one to the world fixture"
    return path.format(**ids)


def query_for(method: str, path: str, today: dt.date) -> dict:
    params = SCHEMA["paths"][path][method.lower()].get("parameters", [])
    query = {}
    for param in params:
        if param["in"] == "query" and param.get("required"):
            name = param["name"]
            assert name in QUERY_SAMPLES, f"{path}: add a sample value for the required query parameter {name!r}"
            query[name] = today.isoformat() if QUERY_SAMPLES[name] == "TODAY" else QUERY_SAMPLES[name]
    return {**query, **EXTRA_QUERY.get(path, {})}


def needs_auth(method: str, path: str) -> bool:
    return bool(SCHEMA["paths"][path][method.lower()].get("security"))


def expected_read_status(path: str, role: str) -> int:
    if OPERATOR_ONLY_READS.match(path):
        return 200 if role == "operator" else 403
    if OPERATOR_ONLY_APPOINTMENT_READS.match(path):
        return {"operator": 200, "therapist": 403, "driver": 403}.get(role, 404)
    if "{appointment_id}" in path:
        return 200 if role in ("operator", "therapist", "driver") else 404
    if "{slot_id}" in path or "{record_id}" in path:
        return 200 if role in ("operator", "therapist") else 404
    if "{notification_id}" in path:
        return 200 if role == "therapist" else 404  # notifications are their owner's alone, operators included
    return 200


def assert_json(response, context: str) -> None:
    assert response["Content-Type"].startswith("application/json"), f"{context}: {response['Content-Type']}"
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body, dict) and body.get("detail"), f"{context}: no detail message in {body}"


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_read_route_answers_each_role_within_its_scope(world, role, refusals):
    """One world, every GET route of the schema: the status each role must get, always JSON, never a 500; each
    403 made by the permission module."""
    wrong = []
    for method, path in GET_ROUTES:
        url = url_for(path, world["ids"])
        response = world["clients"][role].get(url, query_for(method, path, world["today"]))
        if not_from_permissions(response, refusals):
            wrong.append(f"GET {path}: a 403 not made by scheduling.services.permissions")
        if role == "anonymous":
            expected = 401 if needs_auth(method, path) else 200
        else:
            expected = expected_read_status(path, role)
        if response.status_code != expected:
            wrong.append(f"GET {path}: {response.status_code}, expected {expected}: {response.content[:200]!r}")
        else:
            assert_json(response, f"{role} GET {path}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_lists_show_a_s_rows_to_a_and_to_no_other_staff(world):
    """The lists that show A's appointment, slot and notification to A show none of them to B."""
    today = world["today"].isoformat()
    appointment_lists = ["", "pending/", "today/", "upcoming/", f"by_week/?week_start={today}"]
    for role, sees in (("therapist", True), ("driver", True), ("therapist_b", False), ("driver_b", False)):
        client = world["clients"][role]
        for suffix in appointment_lists:
            body = client.get(f"/api/scheduling/appointments/{suffix}").json()
            rows = body["results"] if isinstance(body, dict) else body
            assert [r["id"] for r in rows] == ([world["ids"]["appointment_id"]] if sees else []), (role, suffix)
        counts = client.get("/api/scheduling/appointments/status_counts/").json()
        assert counts["total"] == (1 if sees else 0), role
    for role, slots, notifications in (("therapist", 1, 1), ("therapist_b", 0, 0), ("driver_b", 0, 0)):
        client = world["clients"][role]
        assert len(client.get("/api/scheduling/availabilities/").json()) == slots, role
        assert client.get("/api/scheduling/notifications/").json()["count"] == notifications, role


def test_every_write_route_is_classified_for_the_role_matrix():
    classified = OPERATOR_ONLY_WRITES | SCOPED_WRITES | OWN_WRITES
    unclassified = sorted(set(WRITE_ROUTES) - classified)
    assert not unclassified, f"classify these write routes in tests/api/test_role_matrix.py: {unclassified}"
    stale = sorted(classified - set(WRITE_ROUTES))
    assert not stale, f"these classified routes no longer exist: {stale}"


def database_state() -> list[tuple]:
    """(table, rows, checksum) of every table the app writes, tokens aside (issuing them is not the test)."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_app_config("scheduling").get_models(include_auto_created=True)
        if model._meta.managed and model is not AuthToken
    )
    sql = " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM \"{t}\" x"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(cursor.fetchall())  # UNION ALL promises no order (a parallel append may reorder branches)


def valid_body(world) -> dict:
    """One body valid for every write route's request schema, so the role check (not validation) answers."""
    people, today = world["people"], world["today"]
    return {
        "client": world["ids"]["client_id"],
        "services": [world["ids"]["service_id"]],
        "therapist": people["therapist"].pk,
        "driver": people["driver"].pk,
        "date": (today + dt.timedelta(days=3)).isoformat(),
        "start_time": "13:00",
        "end_time": "14:00",
        "location": "Makati",
        "reason": "role matrix",
        "action": "accept",
        "payment_method": "cash",
        "payment_amount": "500.00",
        "username": "matrix-new",
        "password": "a-long-enough-pass-123",
        "role": "therapist",
        "license_number": "LIC-MATRIX",
        "first_name": "Matrix",
        "phone_number": "+639179999999",
        "name": "Matrix massage",
        "duration": 60,
        "price": "100.00",
        "slots": [{"start_time": "13:00", "end_time": "14:00"}],
    }


def body_for(method: str, path: str, world) -> dict | None:
    operation = SCHEMA["paths"][path][method.lower()]
    if "requestBody" not in operation:
        return None
    ref = operation["requestBody"]["content"]["application/json"]["schema"].get("$ref", "")
    schema = SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else {}
    body = valid_body(world)
    if schema.get("additionalProperties") is False or "PatchDict" in ref or path.startswith("/api/scheduling/staff/"):
        fields = schema.get("properties", {})
        body = {k: v for k, v in body.items() if k in fields and k in schema.get("required", [])}
    elif fields := schema.get("properties"):
        body = {k: v for k, v in body.items() if k in fields}
    return body


def call(client, method: str, url: str, body: dict | None):
    if body is None:
        return getattr(client, method.lower())(url) if method != "POST" else client.post(url)
    return getattr(client, method.lower())(url, body, content_type="application/json")


def expected_write_status(method: str, path: str, role: str) -> set[int]:
    if (method, path) in OPERATOR_ONLY_WRITES:
        return {403}
    action = path.rstrip("/").rsplit("/", 1)[-1]
    if action in APPOINTMENT_ACTIONS:
        base = role.removesuffix("_b")
        return {404} if base in APPOINTMENT_ACTIONS[action] else {403}
    return {404}  # another person's slot or notification is invisible


def roles_refused(method: str, path: str) -> tuple[str, ...]:
    """Operator-only writes are refused to all four staff; A's rows to everyone outside their scope."""
    if (method, path) in OPERATOR_ONLY_WRITES:
        return STAFF_ROLES
    if "{slot_id}" in path:
        return ("driver", "therapist_b", "driver_b")
    if "{notification_id}" in path:
        return ("operator", "driver", "therapist_b", "driver_b")
    return ("therapist_b", "driver_b")


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_a_write_outside_the_callers_role_or_scope_is_refused_and_changes_nothing(world, role, refusals):
    wrong = []
    for method, path in sorted(OPERATOR_ONLY_WRITES | SCOPED_WRITES):
        if role != "anonymous" and role not in roles_refused(method, path):
            continue
        before = database_state()
        response = call(world["clients"][role], method, url_for(path, world["ids"]), body_for(method, path, world))
        assert_json(response, f"{role} {method} {path}")
        if not_from_permissions(response, refusals):
            wrong.append(f"{method} {path}: a 403 not made by scheduling.services.permissions")
        expected = {401} if role == "anonymous" else expected_write_status(method, path, role)
        if response.status_code not in expected:
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected}: {response.content[:200]!r}")
        elif response.status_code == 403 and not response.json()["detail"].startswith("Only a"):
            wrong.append(f"{method} {path}: 403 for another reason than the role: {response.json()['detail']}")
        after = database_state()
        if after != before:
            changed = sorted({row[0] for row in set(after) ^ set(before)})
            wrong.append(f"{method} {path}: the refused call changed the database ({', '.join(changed)})")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_the_valid_body_really_passes_validation_so_the_403s_are_role_checks(world):
    """The operator's own calls with the same bodies are not 422: the refusals above are not validation errors."""
    client = world["clients"]["operator"]
    for method, path in [("POST", "/api/scheduling/clients/"), ("POST", "/api/scheduling/services/")]:
        response = call(client, method, url_for(path, world["ids"]), body_for(method, path, world))
        assert response.status_code == 201, (path, response.content)
