"""The OpenAPI document, made valid and complete in one place instead of route by route.

Ninja builds the document from the routes; `SchedulingAPI` post-processes it so that:
- a function registered for two methods gets one operationId per method (suffix `_<method>`);
- parameter `examples` are an OpenAPI map (`{name: {value}}`), not the JSON-Schema list pydantic writes;
- every error answer the API really gives is declared with its real body (`ErrorOut`: `detail`, and `error`, the
  field map of validation errors), derived from what the exception handlers in api/errors.py produce:
  401 on every authenticated operation (and on login), 400 and 422 wherever input is parsed, 404 wherever an id
  or a page number is given, 403 and 409 on writes guarded by role and state, 403 on the operator-only reads,
  414 wherever a query string is read, 413 wherever a body is read, 503 (with `Retry-After`) everywhere;
- every authenticated write documents the optional `Idempotency-Key` header;
- every parameter has a description (the shared names are described once, in PARAMETER_DOCS).
A route may still declare more codes itself; nothing it declares is removed, only a bare `Message` error body is
upgraded to `ErrorOut` (the handlers may add the field map to any error).
"""

from __future__ import annotations

import inspect
from typing import Any

from ninja import Field, NinjaAPI, Schema
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import ConfigDict

from api.schemas import Message


class ErrorOut(Schema):
    """Every error answer: a sentence in `detail`; a field map in `error` when input was invalid (some answers
    repeat the map's keys at the top level, e.g. `therapist` for a double booking, as the frontend reads them)."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="what went wrong, in a sentence a person can read")
    error: dict[str, list[str]] | str | None = Field(
        None,
        description="field name -> messages, for invalid input and for rules broken on one field (each field also "
        "stands at the top level); for an error with an error_code, its message as text",
    )
    error_code: str | None = Field(None, description="a machine-readable reason, e.g. ACCOUNT_DISABLED (also as code)")


ERROR_DESCRIPTIONS = {
    400: "Bad request: the input breaks a business rule or holds a value the database cannot store",
    401: "Authentication credentials were not provided or are invalid (send `Authorization: Token <token>`)",
    403: "The caller's role may not do this",
    404: "Not found, or not visible to the caller; also a page number past the last page",
    409: "Conflict with the current state: wrong status for this step, a duplicate, a double booking",
    414: "The request line (path and query string) is longer than the server accepts",
    413: "The request body is larger than the API accepts (DATA_UPLOAD_MAX_MEMORY_SIZE)",
    422: "The body or a parameter has the wrong shape or type; `error` maps each field to its messages; also an "
    "Idempotency-Key already used for another request",
    503: "PostgreSQL cannot be reached right now: retry after the `Retry-After` seconds (nothing was changed)",
}
# Headers an error answer carries, by status.
ERROR_HEADERS = {
    503: {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}},
}
# The header that makes a write safe to retry (api/middleware.py IdempotencyMiddleware).
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "any unique string (1 to 255 printable ASCII characters): a retry with the same key and body gets "
    "the first answer again (header `Idempotent-Replayed: true`) without doing the work twice; the same key with "
    "another body is a 422. Kept 24 hours per user.",
}

# Writes on the caller's own rows (their notifications, their session and profile): no role check, so no 403.
NO_ROLE_CHECK_TAGS = {"notifications", "auth"}
# Writes that cannot conflict with anything (marking and deleting one's own notifications): no 409.
NO_CONFLICT_TAGS = {"notifications"}
# Unauthenticated writes that check credentials themselves (login, e-mail verification).
AUTH_TAGS = {"auth"}
# Reads only operators may make: every route of a tag (None) or the routes named, relative to their router.
OPERATOR_ONLY_READS: dict[str, set[str] | None] = {"reports": None, "attendance": {"/summary/"}}

# Descriptions of the parameters many routes share, by name; a route's own Field(description=...) wins.
PARAMETER_DOCS = {
    "page": "1-based page number (at most 1,000,000); a page past the last one is a 404",
    "page_size": "rows per page, 1 to 200 (default 20)",
    "appointment_id": "id of the appointment",
    "notification_id": "id of one of the caller's notifications",
    "staff_id": "id of the staff member (a user)",
    "slot_id": "id of the availability slot",
    "client_id": "id of the client",
    "service_id": "id of the service",
    "date": "a day, YYYY-MM-DD (local time of the business)",
    "date_after": "from this day on, inclusive (YYYY-MM-DD)",
    "date_before": "up to this day, inclusive (YYYY-MM-DD)",
    "week_start": "first day of the seven, YYYY-MM-DD",
    "start_time": "local wall-clock time, HH:MM or HH:MM:SS, no UTC offset",
    "end_time": "local wall-clock time, HH:MM or HH:MM:SS; at or before start_time means the next day",
    "status": "one status value (see the lifecycle in the API description)",
    "status__in": "several statuses, comma-separated",
    "payment_status": "unpaid, partial, paid or refunded",
    "therapist": "id of a therapist (main or one of a group)",
    "driver": "id of a driver",
    "operator": "id of the operator who booked",
    "user": "id of the staff member",
    "client_name": "part of the client's first or last name",
    "search": "words that must all match (names, phone, email, address, ...)",
    "ordering": "sort key; prefix with - for descending",
    "role": "operator, therapist or driver",
    "is_active": "true for active accounts only, false for deactivated ones",
    "is_read": "true: read notifications only; false: unread only",
    "is_available": "true: available slots only; false: blocked-out slots only",
    "notification_type": "one notification type (the event it reports)",
    "include_inactive": "true: also deactivated services (operators only)",
    "phone_number": "a phone number to look for among clients",
    "email": "an email address to look for",
    "specialization": "only therapists with this specialization",
    "massage_pressure": "only therapists offering this pressure: soft, moderate or hard",
    "period": "day or week",
    "format": "csv for a spreadsheet download, else JSON",
}

ERROR_REF = {"$ref": REF_TEMPLATE.format(model="ErrorOut")}
MESSAGE_REF = {"$ref": REF_TEMPLATE.format(model="Message")}


def _operator_only_read(operation: Operation, tags: list[str]) -> bool:
    for tag in tags:
        if tag in OPERATOR_ONLY_READS:
            paths = OPERATOR_ONLY_READS[tag]
            if paths is None or operation.path in paths:
                return True
    return False


def error_statuses(operation: Operation, parameters: list[dict], has_body: bool, tags: list[str]) -> set[int]:
    """The error codes the handlers of api/errors.py can give this operation (see the module docstring)."""
    codes: set[int] = set()
    authenticated = bool(operation.auth_callbacks)
    write = any(m != "GET" for m in operation.methods)
    if authenticated:
        codes.add(401)
    if parameters or has_body:
        codes |= {400, 422}
    if any(p["in"] == "path" or p["name"] == "page" for p in parameters):
        codes.add(404)
    if any(p["in"] == "query" for p in parameters):
        codes.add(414)  # the HTTP server's own limit on the request line (about 4 kB)
    if authenticated and write:
        codes.add(404)  # an id in the body the caller cannot see (a user, a client, a service)
    if authenticated and write and not NO_ROLE_CHECK_TAGS.intersection(tags):
        codes.add(403)
    if authenticated and write and not NO_CONFLICT_TAGS.intersection(tags):
        codes.add(409)
    if authenticated and _operator_only_read(operation, tags):
        codes.add(403)
    if not authenticated and write and AUTH_TAGS.intersection(tags):
        codes |= {401, 403}  # wrong credentials or code; an account that is disabled
    if has_body:
        codes.add(413)  # checked from Content-Length before the body is read
    codes.add(503)  # every route reaches PostgreSQL (health says so with a 503 of its own)
    return codes


def _lifecycle_description(step) -> str:
    sources = ", ".join(step.sources)
    if step.no_driver_sources:
        sources += f" (or {', '.join(step.no_driver_sources)} when no driver is assigned)"
    return (
        f"Who: {' or '.join(step.roles)}. From: {sources}. To: {' or '.join(step.targets)}. Notifies the people "
        f"concerned ({step.notification}). Answers the appointment as it now is. A wrong role is a 403, a wrong "
        "status a 409 naming the current one, an appointment the caller cannot see a 404. Derived from the "
        "lifecycle table, scheduling/lifecycle.py."
    )


def describe(operation: Operation, tags: list[str]) -> dict[str, str]:
    """A human summary and a description for the document. Ninja's defaults are the function's name as the summary
    and its whole docstring as the description; here the docstring's first line is the summary and the rest the
    description, and a lifecycle action's description comes from its row of the lifecycle table."""
    from scheduling import lifecycle

    found: dict[str, str] = {}
    doc = inspect.cleandoc(operation.view_func.__doc__ or "")
    first, _, rest = doc.partition("\n")
    default_summary = operation.view_func.__name__.title().replace("_", " ")
    if first and operation.summary == default_summary:
        found["summary"] = first.strip().rstrip(".")
        if inspect.cleandoc(operation.description or "") == doc:  # not one given as description=...
            found["description"] = rest.strip() or first.strip()
    action = operation.path.strip("/").split("/")[-1]
    if "appointments" in tags and action in lifecycle.BY_ACTION and not doc:
        found["description"] = _lifecycle_description(lifecycle.BY_ACTION[action])
    return found


class SchedulingOpenAPISchema(OpenAPISchema):
    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        super().__init__(api, path_prefix)
        self.schemas.setdefault("ErrorOut", self._model_schema(ErrorOut))
        self.schemas.setdefault("Message", self._model_schema(Message))

    @staticmethod
    def _model_schema(model: type[Schema]) -> dict[str, Any]:
        return model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema)

    def methods(self, operations: list) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for op in operations:
            if not op.include_in_schema:
                continue
            details = self.operation_details(op)
            for index, method in enumerate(op.methods):
                if index == 0:
                    result[method.lower()] = details
                else:  # one function, several methods: each method its own operationId
                    result[method.lower()] = {**details, "operationId": f"{details['operationId']}_{method.lower()}"}
        return result

    def _extract_parameters(self, model) -> list[dict[str, Any]]:
        params = super()._extract_parameters(model)
        for param in params:
            examples = param.get("examples")
            if isinstance(examples, list):  # OpenAPI wants a map of Example Objects here
                param["examples"] = {str(value): {"value": value} for value in examples}
            if not param.get("description"):
                param["description"] = PARAMETER_DOCS.get(param["name"]) or self._id_doc(param)
            if not param["description"]:
                del param["description"]
        return params

    @staticmethod
    def _id_doc(param: dict) -> str:
        # a path id named after what it identifies: record_id -> "id of the record"
        name = param["name"]
        return f"id of the {name.removesuffix('_id').replace('_', ' ')}" if name.endswith("_id") else ""

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        details.update(describe(operation, details.get("tags", [])))
        responses = details["responses"]
        for status, answer in responses.items():
            content = answer.get("content", {}).get(self.api.renderer.media_type)
            if status >= 400 and content is not None and content.get("schema") == MESSAGE_REF:
                content["schema"] = ERROR_REF
        codes = error_statuses(operation, details["parameters"], "requestBody" in details, details.get("tags", []))
        for status in sorted(codes - set(responses)):
            responses[status] = {
                "description": ERROR_DESCRIPTIONS[status],
                "content": {self.api.renderer.media_type: {"schema": ERROR_REF}},
            }
        for status, headers in ERROR_HEADERS.items():
            if status in responses:
                responses[status].setdefault("headers", headers)
        details["responses"] = dict(sorted(responses.items()))
        if operation.auth_callbacks and any(m != "GET" for m in operation.methods):
            details["parameters"] = [*details["parameters"], IDEMPOTENCY_KEY]
        return details


class SchedulingAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return SchedulingOpenAPISchema(self, path_prefix)
