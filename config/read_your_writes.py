"""Read-your-writes across stateless API processes: installed (first in MIDDLEWARE) only when replicas are
configured. It opens the request's routing state for config/db_router.py and, after a write request that
succeeded, stores the primary's WAL position as the caller's last write, where every process's token lookup
reads it."""

from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse

from config import db_router


class ReadYourWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = db_router.begin_request(request.method or "GET")
        try:
            response = self.get_response(request)
            route = db_router.current_route()
            if response.status_code >= 500 and route.alias not in (None, DEFAULT_DB_ALIAS) and not route.wrote:
                # the replica failed mid-request (stopped, restarted): mark it down, answer from the primary;
                # a read-only request that wrote nothing is safe to run again
                db_router.mark_down(route.alias)
                route = db_router.RequestRoute(read_only=False, user_id=route.user_id)
                db_router.replace_route(route)
                response = self.get_response(request)
            wrote = request.method not in db_router.SAFE_METHODS or route.wrote
            # a refused request (4xx) changed nothing; every view's writes have committed by now
            if route.user_id is not None and wrote and response.status_code < 400:
                db_router.record_write(route.user_id)
        finally:
            db_router.end_request(token)
        return response
