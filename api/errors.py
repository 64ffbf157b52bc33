"""Every failure becomes JSON: {"detail": "..."} and, for validation, a field map under "error"."""

import functools
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from api.middleware import fault_response
from scheduling.errors import DomainError, constraint_error, constraint_of
from scheduling.services.validation import invalid_input_detail

logger = logging.getLogger(__name__)


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    # Ninja nests query/body params under the name of the schema argument: drop that wrapper.
    if len(parts) > 1 and parts[0] in ("filters", "params", "data", "pagination"):
        parts = parts[1:]
    return ".".join(parts) or "non_field_errors"


def with_fields(body: dict, fields: dict[str, list[str]]) -> dict:
    """The field map under "error" and, as the previous backend answered and its frontend reads
    (`data.therapist[0]`), each field also at the top level (never over detail, error or code)."""
    body["error"] = fields
    for name, messages in fields.items():
        body.setdefault(name, messages)
    return body


def validation_payload(errors: list[dict]) -> dict:
    fields: dict[str, list[str]] = {}
    for err in errors:
        fields.setdefault(_field_name(err.get("loc", ())), []).append(str(err.get("msg", "invalid")))
    return with_fields({"detail": invalid_input_detail(fields)}, fields)


# Each handler takes the API first (its create_response renders the body) and is bound to it at registration.


def domain_error(api: NinjaAPI, request, exc: DomainError):
    body = {"detail": exc.detail}
    if exc.code:
        # The frontend branches on error_code (or code) and shows `error` as text.
        body["error_code"] = body["code"] = exc.code
        if not exc.errors:
            body["error"] = exc.detail
    if exc.errors:
        with_fields(body, exc.errors)
    return api.create_response(request, body, status=exc.status_code)


def validation_error(api: NinjaAPI, request, exc: NinjaValidationError):
    return api.create_response(request, validation_payload(exc.errors), status=422)


def body_validation_error(api: NinjaAPI, request, exc: PydanticValidationError):
    # A body validated in a route rather than by Ninja: the status PATCH reads its lifecycle step's input.
    return api.create_response(request, validation_payload(exc.errors()), status=422)


def django_validation_error(api: NinjaAPI, request, exc: DjangoValidationError):
    if hasattr(exc, "message_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        fields = {"non_field_errors": [str(m) for m in exc.messages]}
    return api.create_response(request, with_fields({"detail": invalid_input_detail(fields)}, fields), status=400)


def auth_error(api: NinjaAPI, request, exc):
    return api.create_response(
        request, {"detail": "Authentication credentials were not provided or are invalid."}, status=401
    )


def http_error(api: NinjaAPI, request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def not_found(api: NinjaAPI, request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


def forbidden(api: NinjaAPI, request, exc):
    return api.create_response(request, {"detail": str(exc) or "You do not have permission to do this."}, status=403)


def integrity_error(api: NinjaAPI, request, exc: IntegrityError):
    # The rule's own message and code, declared on the model beside the constraint (scheduling.errors).
    name = constraint_of(exc)
    logger.info("integrity error %s: %s", name, exc)
    return domain_error(api, request, constraint_error(name))


def fault(api: NinjaAPI, request, exc):
    # An unreachable database (503 with Retry-After) or an oversized body (413): the same answers as the
    # middleware gives outside a view.
    return fault_response(exc)


def overflow_error(api: NinjaAPI, request, exc: OverflowError):
    # Date arithmetic past 9999-12-31 (or a number too large for Python's C types): the input's fault.
    logger.info("overflow: %s", exc)
    return api.create_response(request, {"detail": "Invalid input: a date or number is out of range."}, status=400)


def data_error(api: NinjaAPI, request, exc: DataError):
    # SQLSTATE class 22 (data exception): a value PostgreSQL cannot store or compare, such as a NUL byte in
    # text, a number out of range or an impossible date. Bad input, so a 400 that names the problem.
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "a value the database cannot store"
    logger.info("data error: %s", exc)
    return api.create_response(request, {"detail": f"Invalid input: {reason}."}, status=400)


HANDLERS = {
    DomainError: domain_error,
    NinjaValidationError: validation_error,
    PydanticValidationError: body_validation_error,
    DjangoValidationError: django_validation_error,
    AuthenticationError: auth_error,
    HttpError: http_error,
    Http404: not_found,
    PermissionDenied: forbidden,
    IntegrityError: integrity_error,
    OperationalError: fault,
    InterfaceError: fault,
    RequestDataTooBig: fault,
    OverflowError: overflow_error,
    DataError: data_error,
}


def register_error_handlers(api: NinjaAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        api.add_exception_handler(exc_class, functools.partial(handler, api))
