"""Domain errors raised by services and selectors; the API turns each into a JSON answer with its status."""


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
