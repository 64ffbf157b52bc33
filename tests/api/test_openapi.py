"""The front door: the OpenAPI document is valid and declares what the API really answers; GET /api/ is an
index; unknown paths are 404s (never 500s); health and readiness say what they know and leak nothing."""

import contextlib
import json

import pytest
from django.db import OperationalError
from openapi_spec_validator import OpenAPIV31SpecValidator

from api.api import api
from api.openapi import PARAMETER_DOCS

SCHEMA = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/")))
OPERATIONS = [
    (method.upper(), path, op)
    for path, ops in SCHEMA["paths"].items()
    for method, op in ops.items()
    if method != "parameters"
]
ERROR_REF = "#/components/schemas/ErrorOut"


def test_the_openapi_document_is_valid_per_openapi_spec_validator():
    errors = [f"{list(e.path)}: {e.message}" for e in OpenAPIV31SpecValidator(SCHEMA).iter_errors()]
    assert errors == []


def test_the_served_document_is_the_validated_one(api_client, db):
    served = api_client().get("/api/openapi.json").json()
    assert served["paths"].keys() == SCHEMA["paths"].keys()
    assert list(OpenAPIV31SpecValidator(served).iter_errors()) == []


def test_every_operation_id_is_unique_also_for_functions_serving_two_methods():
    ids = [op["operationId"] for _, _, op in OPERATIONS]
    assert len(ids) == len(set(ids))
    delete_read = SCHEMA["paths"]["/api/scheduling/notifications/delete_read/"]
    assert delete_read["post"]["operationId"] != delete_read["delete"]["operationId"]


def test_every_operation_declares_the_outage_503_and_every_body_the_413():
    no_503 = [
        f"{m} {p}" for m, p, op in OPERATIONS if "Retry-After" not in op["responses"].get("503", {}).get("headers", {})
    ]
    no_413 = [f"{m} {p}" for m, p, op in OPERATIONS if "requestBody" in op and "413" not in op["responses"]]
    assert (no_503, no_413) == ([], [])


def test_every_authenticated_write_documents_the_idempotency_key_and_reads_do_not():
    def has_key(op):
        return any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in op["parameters"])

    writes = [(m, p, op) for m, p, op in OPERATIONS if m != "GET" and op.get("security")]
    assert writes and all(has_key(op) for _, _, op in writes)
    assert not any(has_key(op) for m, _, op in OPERATIONS if m == "GET")


def test_parameter_examples_are_maps_of_example_objects():
    with_examples = [p for _, _, op in OPERATIONS for p in op["parameters"] if "examples" in p]
    assert with_examples, "the time parameters carry examples"
    for param in with_examples:
        assert isinstance(param["examples"], dict)
        assert all("value" in example for example in param["examples"].values())


def test_every_authenticated_operation_declares_401_with_the_error_schema():
    missing = [
        f"{method} {path}"
        for method, path, op in OPERATIONS
        if op.get("security")
        and op["responses"].get("401", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        != ERROR_REF
    ]
    assert missing == []
    assert "security" not in SCHEMA["paths"]["/api/auth/login/"]["post"]
    assert "401" not in SCHEMA["paths"]["/api/health/"]["get"]["responses"]


def test_the_error_schema_carries_the_field_map():
    error = SCHEMA["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]
    field_map = error["properties"]["error"]["anyOf"][0]
    assert field_map["type"] == "object"
    assert field_map["additionalProperties"] == {"items": {"type": "string"}, "type": "array"}


def test_every_error_answer_is_declared_with_a_json_body():
    for method, path, op in OPERATIONS:
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                assert "application/json" in answer.get("content", {}), f"{method} {path} {status}"


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("DELETE", "/api/scheduling/clients/{client_id}/", {"401", "403", "404", "409"}),
        ("POST", "/api/scheduling/appointments/", {"400", "401", "403", "409", "422"}),
        ("POST", "/api/scheduling/appointments/{appointment_id}/therapist_confirm/", {"401", "403", "404", "409"}),
        ("GET", "/api/scheduling/appointments/", {"401", "404", "422"}),
        ("GET", "/api/scheduling/reports/revenue/", {"401", "403", "422"}),
        ("GET", "/api/scheduling/notifications/{notification_id}/", {"401", "404"}),
        ("POST", "/api/auth/login/", {"400", "401", "403", "422"}),
        ("POST", "/api/scheduling/availabilities/", {"401", "403", "404", "409", "422"}),
        ("GET", "/api/scheduling/clients/", {"401", "404", "414", "422"}),
        ("PATCH", "/api/auth/profile/", {"400", "401", "409", "422"}),
        ("GET", "/api/attendance/summary/", {"401", "403", "422"}),
    ],
)
def test_the_status_codes_the_api_gives_are_declared(method, path, statuses):
    declared = set(SCHEMA["paths"][path][method.lower()]["responses"])
    assert statuses <= declared


def test_every_parameter_has_a_description():
    undocumented = [
        f"{method} {path} {param['name']}"
        for method, path, op in OPERATIONS
        for param in op["parameters"]
        if not param.get("description")
    ]
    assert undocumented == []
    by_week = SCHEMA["paths"]["/api/scheduling/appointments/by_week/"]["get"]["parameters"]
    assert [p["description"] for p in by_week] == [PARAMETER_DOCS["week_start"]]


def test_a_client_with_appointments_is_a_declared_409_on_delete(api_client, operator, make_appointment):
    appointment = make_appointment()
    response = api_client(operator).delete(f"/api/scheduling/clients/{appointment.client_id}/")
    assert response.status_code == 409
    assert set(response.json()) >= {"detail"}


def test_the_api_index_is_json_with_links_to_docs_openapi_and_health(api_client, db):
    response = api_client().get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == api.title
    assert body["version"] == api.version
    assert body["links"]["docs"] == "/api/docs"
    for name in ("docs", "openapi", "health", "ready"):
        assert api_client().get(body["links"][name]).status_code == 200, name


@pytest.mark.parametrize(
    "path",
    ["/api/nope", "/api/nope/", "/api/scheduling/", "/api/scheduling/nope/", "/api/scheduling/appointments/x/"],
)
def test_an_unknown_path_under_api_is_a_json_404(api_client, db, path):
    response = api_client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("path", ["/nope/", "/static/nope.css", "/admin-nope/"])
def test_an_unknown_path_elsewhere_is_a_404_not_a_500(api_client, db, path):
    assert api_client().get(path).status_code == 404


def test_a_404_raised_in_a_plain_view_under_api_stays_a_404(rf, db):
    from django.http import Http404

    from api.middleware import JsonErrorsMiddleware

    request = rf.get("/api/anything/")
    assert JsonErrorsMiddleware(lambda r: None).process_exception(request, Http404("x")) is None
    assert JsonErrorsMiddleware(lambda r: None).process_exception(request, RuntimeError("x")).status_code == 500


class _DownConnection:
    def cursor(self):
        raise OperationalError('connection failed: socket "/secret/path/.s.PGSQL.5432" refused; password=hunter2')

    def execute_wrapper(self, wrapper):  # ServerTimingMiddleware meters queries through it
        return contextlib.nullcontext()


def _database_down(monkeypatch):
    """The health check (api.middleware.health_response) and the readiness check (api.api) see a dead database."""
    from api import api as api_module
    from api import middleware

    monkeypatch.setattr(api_module, "connection", _DownConnection())
    monkeypatch.setattr(middleware, "connection", _DownConnection())


def test_health_never_echoes_the_raw_database_error(api_client, db, monkeypatch):
    client = api_client()
    _database_down(monkeypatch)
    response = client.get("/api/health/")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json() == {
        "status": "error",
        "database": "unavailable",
        "detail": "The service is temporarily unavailable (database unreachable). Retry shortly.",
    }
    assert b"secret" not in response.content


def test_readiness_says_the_migrations_are_applied(api_client, db):
    response = api_client().get("/api/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "applied"}


def test_readiness_is_503_while_migrations_are_missing(api_client, db, monkeypatch):
    from api import api as api_module

    monkeypatch.setattr(api_module, "_migrations_applied", False)
    monkeypatch.setattr(api_module, "unapplied_migrations", lambda: ["scheduling.0099_new"])
    response = api_client().get("/api/health/ready/")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": "ok", "migrations": "1 not applied"}


def test_readiness_is_503_without_details_when_the_database_is_down(api_client, db, monkeypatch):
    client = api_client()
    _database_down(monkeypatch)
    response = client.get("/api/health/ready/")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert b"secret" not in response.content


def test_every_operation_has_a_human_summary_and_a_description():
    def default_summary(op) -> bool:  # Ninja's fallback: the function's name, title-cased
        return op["summary"].lower().replace(" ", "_") in op["operationId"]

    missing = [
        f"{method} {path}: {op.get('summary')!r}"
        for method, path, op in OPERATIONS
        if not op.get("summary") or default_summary(op) or not op.get("description")
    ]
    assert missing == []
