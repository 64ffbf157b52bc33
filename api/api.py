"""The one NinjaAPI: routers per resource are mounted here; docs at /api/docs."""

from django.db import connection
from ninja import NinjaAPI, Router, Status

from api import auth
from api.availabilities import free_router as free_staff_router
from api.availabilities import router as availabilities_router
from api.clients import router as clients_router
from api.errors import register_error_handlers
from api.renderers import ORJSONRenderer
from api.services import router as services_router
from api.staff import router as staff_router

api = NinjaAPI(
    title="Home-service scheduling API",
    version="1.0.0",
    description="Operators book, therapists serve, drivers carry. PostgreSQL does the aggregating.",
    auth=auth.token_auth,
    renderer=ORJSONRenderer(),
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
        return Status(200, {"status": "ok", "database": "ok"})
    except Exception as exc:  # the database is down: say so, do not crash
        return Status(503, {"status": "error", "database": str(exc)[:200]})


api.add_router("/health/", health_router)
api.add_router("/auth/", auth.router)
api.add_router("/scheduling/staff/", staff_router)
api.add_router("/scheduling/availabilities/", availabilities_router)
api.add_router("/scheduling/", free_staff_router)  # available_therapists/ and available_drivers/ as SPEC lists them
api.add_router("/scheduling/clients/", clients_router)
api.add_router("/scheduling/services/", services_router)
api.add_router("/scheduling/notifications/", "api.notifications.router")
api.add_router("/scheduling/reports/", "api.reports.router")
