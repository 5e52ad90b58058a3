from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from incidents import views as incident_views

urlpatterns = [
    path("", incident_views.home, name="home"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("incidents.urls")),
    path("", include("reports.urls")),
]
