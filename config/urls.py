from django.contrib import admin
from django.urls import path

from api.api import api
from config.lean import memoized

urlpatterns = [
    path("admin/", admin.site.urls),
    memoized(path("api/", api.urls)),  # each path resolved once (config/lean.py)
]
