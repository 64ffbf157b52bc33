"""The one NinjaAPI: routers per resource are mounted here; docs at /api/docs."""

from django.db import InterfaceError, OperationalError, connection
from ninja import NinjaAPI, Router, Status

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
from api.middleware import database_unavailable
from api.renderers import ORJSONParser, ORJSONRenderer

api = NinjaAPI(
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

health_router = Router(tags=["health"])


@health_router.get("/", auth=None, response={200: dict, 503: dict})
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):  # down: say so (never the error text: it names the socket path)
        return database_unavailable(status="error", database="unavailable")
    return Status(200, {"status": "ok", "database": "ok"})


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
