"""A lean request path for /api/: the admin's middlewares, made to step aside for the token API.

The API authenticates every request by its `Authorization` header and sets no cookie, so sessions, CSRF,
Django's session authentication and messages do nothing useful there, yet each costs per request (a lazy user,
cookie parsing, a CSRF token check, a message storage object and their response hooks). Each class below is the
Django middleware of the same name, except that for a path under /api/ it passes the request straight on; the
admin and everything else get the original behaviour. They keep Django's classes as bases, so the admin's
system checks (which look for these middlewares) still pass.
"""

from __future__ import annotations

import functools

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.middleware import csrf
from django.urls import URLResolver

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


class _AdminOnly:
    """Mixin placed before a Django middleware class: a no-op under /api/."""

    get_response = None  # set by the middleware's own __init__

    def __call__(self, request):
        if is_api(request):
            # Sync or async alike: get_response's result (a response or a coroutine) is what the chain expects.
            return self.get_response(request)
        return super().__call__(request)


class _AdminOnlyView(_AdminOnly):
    """The same for a middleware with a process_view hook (Django calls those from the URL-resolving handler)."""

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if is_api(request):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)


class SessionMiddleware(_AdminOnly, sessions_middleware.SessionMiddleware):
    pass


class CsrfViewMiddleware(_AdminOnlyView, csrf.CsrfViewMiddleware):
    pass


class AuthenticationMiddleware(_AdminOnly, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(_AdminOnly, messages_middleware.MessageMiddleware):
    pass


class MemoizedResolver(URLResolver):
    """A URL resolver that remembers the match of each path it resolved (up to CACHE_SIZE paths).

    Django tries an include's patterns in order on every request; the API mounts about 150, so a path near the
    end (reports, services) cost some 70-90 microseconds of regex matching per request. A match depends only
    on the path, and the handler never changes it, so it is computed once per distinct path. Paths that match
    nothing are not remembered (the 404 is raised each time).
    """

    CACHE_SIZE = 4096

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._remembered = functools.lru_cache(maxsize=self.CACHE_SIZE)(super().resolve)

    def resolve(self, path):
        return self._remembered(str(path))


def memoized(resolver: URLResolver) -> MemoizedResolver:
    """`path("api/", api.urls)` with a memory (see MemoizedResolver)."""
    return MemoizedResolver(
        resolver.pattern,
        resolver.urlconf_name,
        resolver.default_kwargs,
        resolver.app_name,
        resolver.namespace,
    )
