"""Every failure becomes JSON: {"detail": "..."} and, for validation, a field map under "error"."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

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


def register_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        body = {"detail": exc.detail}
        if exc.code:
            # The frontend branches on error_code (or code) and shows `error` as text.
            body["error_code"] = body["code"] = exc.code
            if not exc.errors:
                body["error"] = exc.detail
        if exc.errors:
            with_fields(body, exc.errors)
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        return api.create_response(request, validation_payload(exc.errors), status=422)

    @api.exception_handler(PydanticValidationError)
    def body_validation_error(request, exc: PydanticValidationError):
        # A body validated in a route rather than by Ninja: the status PATCH reads its lifecycle step's input.
        return api.create_response(request, validation_payload(exc.errors()), status=422)

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        if hasattr(exc, "message_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            fields = {"non_field_errors": [str(m) for m in exc.messages]}
        return api.create_response(request, with_fields({"detail": invalid_input_detail(fields)}, fields), status=400)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, {"detail": "Authentication credentials were not provided or are invalid."}, status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": "Not found."}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, {"detail": str(exc) or "You do not have permission to do this."}, status=403
        )

    @api.exception_handler(IntegrityError)
    def integrity_error(request, exc: IntegrityError):
        # The rule's own message and code, declared on the model beside the constraint (scheduling.errors).
        name = constraint_of(exc)
        logger.info("integrity error %s: %s", name, exc)
        return domain_error(request, constraint_error(name))

    @api.exception_handler(DataError)
    def data_error(request, exc: DataError):
        # SQLSTATE class 22 (data exception): a value PostgreSQL cannot store or compare, such as a NUL byte in
        # text, a number out of range or an impossible date. Bad input, so a 400 that names the problem.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "a value the database cannot store"
        logger.info("data error: %s", exc)
        return api.create_response(request, {"detail": f"Invalid input: {reason}."}, status=400)
