from django.contrib import admin
from django.urls import path

from api.api import api
from config.lean import memoized

urlpatterns = [
    path("admin/", admin.site.urls),
    memoized(path("api/", api.urls)),  # each path resolved once (config/lean.py)
]

# An uncaught exception (one raised in a middleware, e.g. while the database is down) is answered by the fault
# handlers too: 503 with Retry-After for an unreachable database, JSON under /api/ (issue 14).
handler500 = "api.middleware.server_error"
