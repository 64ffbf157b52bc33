"""Domain errors raised by services and selectors; the API turns each into a JSON answer with its status."""


def constraint_of(exc: Exception) -> str | None:
    """The name of the constraint a database error (IntegrityError) broke, from psycopg's diagnostics."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, *, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


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
