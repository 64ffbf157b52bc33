import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import connection
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError

logger = logging.getLogger(__name__)


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
        if not self.enabled:
            return self.get_response(request)
        meter = _QueryMeter()
        with connection.execute_wrapper(meter):
            response = self.get_response(request)
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
        if isinstance(exception, self.CLIENT_ERRORS):
            return None  # never turn a 404 (or 400/403) into a 500
        if request.path.startswith("/api/"):
            logger.exception("unhandled error on %s %s", request.method, request.path)
            return JsonResponse({"detail": "Internal server error."}, status=500)
        return None
