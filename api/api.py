"""The one NinjaAPI: routers per resource are mounted here; docs at /api/docs, the index at /api/."""

import logging

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from ninja import Router, Schema, Status

from api import (
    appointments,
    attendance,
    auth,
    availabilities,
    catalog,
    clients,
    history,
    notifications,
    registration,
    reports,
    staff,
)
from api.errors import register_error_handlers
from api.middleware import database_unavailable, health_response
from api.openapi import SchedulingAPI
from api.renderers import ORJSONParser, ORJSONRenderer

logger = logging.getLogger(__name__)

api = SchedulingAPI(
    title="Home-service scheduling API",
    version="1.0.0",
    description="Operators book, therapists serve, drivers carry. PostgreSQL does the aggregating.",
    auth=auth.token_auth,
    renderer=ORJSONRenderer(),
    parser=ORJSONParser(),
    docs_url="/docs",
    urls_namespace="api",
)
register_error_handlers(api)


class IndexOut(Schema):
    name: str
    version: str
    links: dict[str, str]


@api.get("", auth=None, response=IndexOut, tags=["index"], summary="What this API is and where its docs are")
def index(request):
    """The entry point: the API's name and version, and links to the docs, the OpenAPI document and health."""
    root = request.path
    return {
        "name": api.title,
        "version": api.version,
        "links": {
            "docs": f"{root}docs",
            "openapi": f"{root}openapi.json",
            "health": f"{root}health/",
            "ready": f"{root}health/ready/",
            "admin": "/admin/",
        },
    }


health_router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    database: str


class ReadyOut(Schema):
    status: str
    database: str
    migrations: str


@health_router.get("/", auth=None, response={200: HealthOut, 503: HealthOut}, summary="Is the database reachable?")
def health(request):
    """200 when PostgreSQL answers `SELECT 1`, else 503. The cause goes to the log, never into the answer (it
    would reveal hosts and socket paths). Answered by api.middleware.HealthMiddleware before the rest of the
    middleware stack, from the same function."""
    return health_response()


_migrations_applied = False  # once all are applied in this process they stay applied: skip the check then


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@health_router.get(
    "/ready/", auth=None, response={200: ReadyOut, 503: ReadyOut}, summary="Ready to serve (database and migrations)?"
)
def ready(request):
    """200 when PostgreSQL answers and every migration is applied; 503 names how many are missing (a deploy
    whose `migrate` has not run yet) or says the database is unavailable."""
    global _migrations_applied
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = [] if _migrations_applied else unapplied_migrations()
    except (OperationalError, InterfaceError):  # never the error text: it names hosts and socket paths
        logger.warning("readiness check: database unavailable", exc_info=True)
        return database_unavailable(status="not ready", database="unavailable", migrations="unknown")
    if pending:
        return Status(503, {"status": "not ready", "database": "ok", "migrations": f"{len(pending)} not applied"})
    _migrations_applied = True
    return Status(200, {"status": "ready", "database": "ok", "migrations": "applied"})


api.add_router("/health/", health_router)
api.add_router("/auth/", auth.router)
api.add_router("/scheduling/appointments/", appointments.router)
api.add_router("/scheduling/appointments/", history.router)  # {id}/history/
api.add_router("/scheduling/notifications/", notifications.router)
api.add_router("/scheduling/staff/", staff.router)
api.add_router("/scheduling/availabilities/", availabilities.router)
# available_therapists/ and available_drivers/ also directly under /scheduling/, as SPEC section 6 lists them
api.add_router("/scheduling/", availabilities.free_router)
api.add_router("/scheduling/clients/", clients.router)
api.add_router("/scheduling/services/", catalog.router)
api.add_router("/scheduling/reports/", reports.router)
api.add_router("/attendance/", attendance.router)
# The previous backend's routes the frontend still calls (CONTRACT.md; README "Compatibility aliases").
api.add_router("/registration/register/", registration.router)
api.add_router("/toggle-account-status/", staff.account_router)
