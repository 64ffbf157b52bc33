"""Conditional GETs: every list and count under /api/ answers with an ETag, and an unchanged one costs one query.

The frontend polls its lists every 30 s to 10 min. Each such GET gets `ETag` and `Cache-Control: private,
no-cache`, so the browser revalidates by itself with `If-None-Match`; when the tag still matches, the answer is a
304 with no body after ONE query: the token lookup, which also reads the data versions the route depends on
(scheduling/models/versions.py). The list query never runs. On a 200 the same query serves the view's own
authentication (api/auth.py), so a list costs no extra query either.

The tag hashes: the sum of the versions of the route's scopes (read before the body, so a write that commits in
between can only make the next poll a 200, never a stale 304), the caller (id and role: one user's tag is never
another's), the local date (today/, upcoming/ and the reports' default window move with it), the host and the
full path with its query string.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from api.auth import bearer_token
from scheduling.models.versions import Scope, version_sql
from scheduling.services.auth import user_for_token_with

S = "/api/scheduling/"
A, N, U, C, SV, V = (
    Scope.APPOINTMENTS,
    Scope.NOTIFICATIONS,
    Scope.USERS,
    Scope.CLIENTS,
    Scope.SERVICES,
    Scope.AVAILABILITY,
)

# (path pattern, the scopes whose data the answer shows). The first match wins; a GET under /api/ that matches
# none is served as before. tests/api/test_conditional_get.py checks that every GET route is either here or named in
# NOT_CONDITIONAL.
ROUTES: list[tuple[re.Pattern[str], tuple[Scope, ...]]] = [
    (re.compile(rf"^{S}appointments/((pending|rejected|awaiting_payment|active_sessions|pickup_requests)/)?$"), (A,)),
    (re.compile(rf"^{S}appointments/(today|upcoming|by_week|status_counts|\d+)/$"), (A,)),
    (re.compile(rf"^{S}notifications/unread_count/$"), (N,)),
    (re.compile(rf"^{S}notifications/((\d+|debug_all)/)?$"), (N, A)),  # appointment_info shows its status
    (re.compile(rf"^{S}staff/((active_staff|\d+)/)?$"), (U,)),
    (re.compile(rf"^{S}(availabilities/)?available_(therapists|drivers)/$"), (V, U, A)),
    (re.compile(rf"^{S}availabilities/(\d+/)?$"), (V, U)),
    (re.compile(rf"^{S}clients/((check_duplicates|\d+)/)?$"), (C,)),
    (re.compile(rf"^{S}services/(\d+/)?$"), (SV,)),
    # the older frontend's spellings of the client and staff lists (CONTRACT.md section 2)
    (re.compile(r"^/api/registration/register/client/$"), (C,)),
    (re.compile(r"^/api/registration/register/(therapist|driver)/$"), (U,)),
    (re.compile(rf"^{S}reports/(revenue|therapist_workload|driver_workload|service_popularity|funnel)/$"), (A, SV, U)),
]

# GET routes deliberately left unconditional, and why.
NOT_CONDITIONAL = {
    "/api/health/": "reports the database's state now",
    "/api/health/ready/": "reports the database's and the migrations' state now",
    "/api/": "a fixed index of links, no data",
    "/api/auth/me/": "the caller, not a list",
    "/api/auth/profile/": "the caller, not a list",
    # Attendance (CONTRACT.md section 2a) keeps no data version yet: its lists stay unconditional until its
    # table gets `versions.bump(...)` triggers and a scope here.
    "/api/attendance/records/": "no data version for attendance yet",
    "/api/attendance/records/{record_id}/": "no data version for attendance yet",
    "/api/attendance/today-status/": "no data version for attendance yet",
    "/api/attendance/summary/": "no data version for attendance yet",
    f"{S}appointments/{{appointment_id}}/history/": "its rows come from the history tables, which keep no data version",
    f"{S}appointments/timeout/": "pending bookings join it when their deadline passes, which no write marks",
}

CACHE_CONTROL = "private, no-cache"


def scopes_for(path: str) -> tuple[Scope, ...] | None:
    for pattern, scopes in ROUTES:
        if pattern.match(path):
            return scopes
    return None


def entity_tag(request: HttpRequest, user, version: int) -> str:
    key = "\n".join(
        (
            str(user.pk),
            user.role,
            str(version),
            timezone.localdate().isoformat(),
            request.get_host(),
            request.get_full_path(),
        )
    )
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


def _matches(request: HttpRequest, tag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    # weak comparison (RFC 9110 13.1.2): W/"x" matches "x"
    return "*" in tags or tag in tags or f"W/{tag}" in tags


class ConditionalGetMiddleware:
    """ETag / If-None-Match for the list and count GETs of ROUTES (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        scopes = scopes_for(request.path_info)
        raw = bearer_token(request) if scopes else None
        if raw is None:  # not a conditional route, or no token: the view answers (401 for a missing token)
            return self.get_response(request)
        user, version = user_for_token_with(raw, version_sql('u."id"', scopes))
        if user is None:
            return self.get_response(request)
        request.token_user = (raw, user)  # the view's token auth uses it instead of a second lookup
        tag = entity_tag(request, user, version)
        if _matches(request, tag):
            response = HttpResponseNotModified()
        else:
            response = self.get_response(request)
            if response.status_code != 200:
                return response
        response["ETag"] = tag
        response["Cache-Control"] = CACHE_CONTROL
        patch_vary_headers(response, ("Authorization",))
        return response
