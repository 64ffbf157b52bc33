"""Domain errors raised by services and selectors; the API turns each into a JSON answer with its status.

A database rule that refuses a write (IntegrityError) becomes one of them too: `constraint_error(name)`, built from
the `violation_error_message`/`violation_error_code` each constraint (and rule trigger) carries on its model.
"""

import functools

from django.apps import apps
from django.db import models


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, *, errors: dict | None = None, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.code = code  # a machine-readable reason the frontend branches on, such as ACCOUNT_DISABLED


class BadRequest(DomainError):
    status_code = 400


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


# A violation with one of these codes is a conflict with existing data (409); any other code is bad input (400).
CONFLICT_CODES = frozenset({"taken", "overlap"})


def constraint_of(exc: Exception) -> str | None:
    """The name of the constraint a database error (IntegrityError) broke, from psycopg's diagnostics."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


def constraint_error(name: str | None) -> DomainError:
    """The API's answer when the database rule `name` refused a write."""
    if name not in _constraint_errors():  # a rule without a message of its own
        return Conflict(f"The change conflicts with existing data ({name}).")
    kind, message, code, field = _constraint_errors()[name]
    return kind(message, errors={field: [code]} if field else None)


def _field_of(constraint: models.BaseConstraint) -> str | None:
    """The one field a unique constraint is about (`fields=["x"]` or an expression such as Lower("x"))."""
    if not isinstance(constraint, models.UniqueConstraint):
        return None
    names = list(constraint.fields) or [
        node.name
        for expression in constraint.expressions
        for node in expression.flatten()
        if isinstance(node, models.F)
    ]
    return names[0] if len(names) == 1 else None


@functools.cache
def _constraint_errors() -> dict[str, tuple[type[DomainError], str, str, str | None]]:
    """Constraint (or rule trigger) name -> (error class, message, code, field), for every rule that says what it
    means: Meta constraints and rule triggers with a `violation_error_message`, and unique fields (their index is
    named `<table>_<column>_key`, as PostgreSQL names a column's UNIQUE) with a `unique` error message of their own
    or a case-insensitive unique constraint on the same field, which says the same and more."""
    table = {}

    def add(name: str, message: str, code: str, field: str | None = None) -> None:
        table[name] = (Conflict if code in CONFLICT_CODES else BadRequest, message, code, field)

    for model in apps.get_models():
        by_field = {}
        for constraint in model._meta.constraints:
            if constraint.violation_error_message != constraint.default_violation_error_message:
                field = _field_of(constraint)
                add(constraint.name, constraint.get_violation_error_message(), constraint.violation_error_code, field)
                by_field[field] = constraint.name
        for trigger in getattr(model._meta, "triggers", ()):
            if getattr(trigger, "violation_error_message", None):
                add(trigger.name, trigger.violation_error_message, trigger.violation_error_code)
        for field in model._meta.concrete_fields:
            if not field.unique or field.primary_key:
                continue
            name = f"{model._meta.db_table}_{field.column}_key"
            message = field.error_messages.get("unique")
            if field.name in by_field:
                table[name] = table[by_field[field.name]]
            elif message != models.Field.default_error_messages["unique"]:
                add(name, str(message), "taken", field.name)
    return table
