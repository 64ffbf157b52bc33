import io
import logging
import random
import sys
import time
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views import defaults

from scheduling.errors import DomainError
from scheduling.services import auth as auth_service
from scheduling.services import idempotency
from scheduling.services.transactions import MAX_ATTEMPTS, is_retryable, run_in_transaction

logger = logging.getLogger(__name__)


# Paths whose cost must not be measurable from outside (login, verification, password resets).
QUIET_PATHS = ("/api/auth/",)


class _QueryMeter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class ServerTimingMiddleware:
    """Adds `Server-Timing: db;dur=<ms>;desc="<n> queries"` so the browser shows each request's SQL cost."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.SERVER_TIMING

    def __call__(self, request):
        if not self.enabled or request.path.startswith(QUIET_PATHS):
            return self.get_response(request)
        meter = _QueryMeter()
        with connection.execute_wrapper(meter):
            response = self.get_response(request)
        # Only for a caller the API authenticated: an anonymous caller could time the login or the token check
        # and learn whether an account exists (the query count differs).
        if getattr(request, "auth", None) is not None:
            response["Server-Timing"] = f'db;dur={meter.seconds * 1000:.2f};desc="{meter.count} queries"'
        return response


class JsonErrorsMiddleware:
    """Under /api/ no answer is ever an HTML page: Django's own 404/405/500 pages become JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = HTTPStatus(response.status_code).phrase
            if response.status_code == 405 and response.has_header("Allow"):
                detail = f"Method {request.method} not allowed. Allowed: {response['Allow']}."
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response

    # Exceptions Django itself answers with a 4xx (its handler runs, then __call__ above makes the page JSON).
    CLIENT_ERRORS = (Http404, PermissionDenied, SuspiciousOperation, BadRequest, MultiPartParserError)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") and (mapped := fault_response(exception)) is not None:
            return mapped  # an outage (503) or a body too large (413)
        if isinstance(exception, self.CLIENT_ERRORS):
            return None  # never turn a 404 (or 400/403) into a 500
        if request.path.startswith("/api/"):
            logger.exception("unhandled error on %s %s", request.method, request.path)
            return JsonResponse({"detail": "Internal server error."}, status=500)
        return None


# ---------------------------------------------------------------- faults and limits (issue 14)

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = "The service is temporarily unavailable (database unreachable). Retry shortly."


def database_unavailable(**extra: str) -> JsonResponse:
    """503 while PostgreSQL cannot be reached: the error text (socket path, host, user) is never shown."""
    response = JsonResponse({**extra, "detail": DATABASE_UNAVAILABLE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


HEALTH_PATH = "/api/health/"


def health_response() -> HttpResponse:
    """200 when PostgreSQL answers `SELECT 1`, else 503. The cause goes to the log, never into the answer (it would
    reveal hosts and socket paths)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError) as exc:
        logger.warning("health: the database is unavailable (%s)", type(exc).__name__)
        return database_unavailable(status="error", database="unavailable")
    return HttpResponse(b'{"status":"ok","database":"ok"}', content_type="application/json")


class HealthMiddleware:
    """GET /api/health/ answered right after CORS, before the rest of the stack: a load balancer or uptime probe
    calls it every few seconds, and it needs none of the API's middlewares (no token, no body, no session, no
    conditional GET). The Ninja route of the same path (its entry in the OpenAPI document) answers from the same
    function when this middleware is not installed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path_info == HEALTH_PATH:
            return health_response()
        return self.get_response(request)


def body_too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse({"detail": f"Request body too large: at most {limit} bytes."}, status=413)


def fault_response(exc: BaseException) -> JsonResponse | None:
    """The answer for a failure that is not the caller's mistake nor a bug: an unreachable database (or a
    deadlock that outlived its retries: also worth retrying) is a 503, an oversized body a 413."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc)
        response = database_unavailable()
        # Inside an idempotent request the view ran in the request's transaction: its owner may run it again.
        response.transaction_retryable = is_retryable(exc)
        return response
    if isinstance(exc, RequestDataTooBig):
        return body_too_large()
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception no view handler caught (one raised in a middleware, such as the conditional-GET
    token look-up while the database is down) still gets the fault's own answer; other errors under /api/ a JSON
    500. Django calls this inside its except block, so the exception is sys.exc_info()'s."""
    exc = sys.exc_info()[1]
    mapped = fault_response(exc) if exc is not None else None
    if mapped is not None:
        return mapped
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)


class RequestLimitsMiddleware:
    """Under /api/: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused by its Content-Length before anything is
    read (413); a chunked body (no Content-Length) is read from the raw stream, bounded by the same limit, instead
    of being taken as empty."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return body_too_large()
            chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
            if chunked and not length and "wsgi.input" in request.META:
                # Django reads at most Content-Length (0) bytes of a WSGI body; the server has already decoded
                # the chunks, so read the raw stream here, up to the limit + 1 byte.
                body = request.META["wsgi.input"].read(limit + 1 if limit is not None else -1)
                if limit is not None and len(body) > limit:
                    return body_too_large()
                request._body = body
                request._stream = io.BytesIO(body)
        return self.get_response(request)


# ---------------------------------------------------------------- Idempotency-Key (issue 14, item 5)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _Unstored(Exception):
    """The attempt's answer must not be kept (a server-side failure): its transaction is rolled back."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _token_user_id(request: HttpRequest) -> int | None:
    from api.auth import ACCEPTED_PREFIXES  # the API's own header rule (imported late: api.auth imports ninja)

    prefix, _, raw = request.headers.get("Authorization", "").partition(" ")
    if prefix.lower() not in ACCEPTED_PREFIXES or not raw.strip():
        return None
    user = auth_service.user_for_token(raw.strip())
    return user.pk if user is not None else None


class IdempotencyMiddleware:
    """A POST, PUT, PATCH or DELETE under /api/ with an `Idempotency-Key` header from an authenticated caller
    runs in one transaction with its key: the first answer is stored there, a retry with the same key and the same
    request gets it again (header `Idempotent-Replayed: true`) without redoing the work, the same key with another
    request is a 422. A 5xx answer is not kept (its work is rolled back), so the retry does the work; a deadlock
    inside is retried here, as the services do for requests without a key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key or len(key) > idempotency.MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            return JsonResponse(
                {"detail": f"Idempotency-Key must be 1 to {idempotency.MAX_KEY_LENGTH} printable ASCII characters."},
                status=400,
            )
        try:
            body = request.body
            user_id = _token_user_id(request)
        except RequestDataTooBig:
            return body_too_large()
        except (OperationalError, InterfaceError):
            return database_unavailable()
        if user_id is None:  # the view answers 401; keys are per user
            return self.get_response(request)
        declared = request.META.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and len(body) < int(declared):
            # The client went away mid-body: this is not the request it meant, so it claims no key (its retry will).
            return JsonResponse({"detail": "The request body ended before its Content-Length."}, status=400)
        fingerprint = idempotency.fingerprint(request.method, request.get_full_path(), body)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return run_in_transaction(self._attempt, request, user_id, key, fingerprint)
            except _Unstored as failed:
                if not getattr(failed.response, "transaction_retryable", False) or attempt == MAX_ATTEMPTS:
                    return failed.response
                time.sleep(random.uniform(0.005, 0.02) * attempt)
            except DomainError as exc:
                return JsonResponse(
                    {"detail": exc.detail, **({"error": exc.errors} if exc.errors else {})}, status=exc.status_code
                )
            except (OperationalError, InterfaceError) as exc:
                return fault_response(exc)
        raise AssertionError("unreachable")

    def _attempt(self, request: HttpRequest, user_id: int, key: str, fingerprint: str) -> HttpResponse:
        stored = idempotency.claim(user_id, key, fingerprint)
        if stored is not None:
            replay = HttpResponse(stored.body, status=stored.status_code, content_type=stored.content_type)
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            raise _Unstored(response)
        answer = idempotency.StoredAnswer(
            response.status_code, response.get("Content-Type", "application/json"), response.content
        )
        try:
            with transaction.atomic():
                idempotency.store(user_id, key, answer)
        except DatabaseError as exc:  # the view left the transaction failed: nothing of it will commit
            raise _Unstored(response) from exc
        return response
