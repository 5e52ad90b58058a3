from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import views as config_views
from incidents import offline
from incidents import views as incident_views
from reports import health

handler500 = "config.views.server_error"
# Read by allauth when one of its rate limits refuses a request.
handler429 = "config.views.too_many_attempts"

urlpatterns = [
    path("", incident_views.home, name="home"),
    path("language/", incident_views.language_set, name="set_language"),
    path("healthz", health.healthz, name="healthz"),
    path("csp-report", config_views.csp_report, name="csp_report"),
    # The installable app: the worker at the root, so its scope is the whole site.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline_page, name="offline"),
    path("offline/token/", offline.token, name="offline_token"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("incidents.urls")),
    path("", include("reports.urls")),
]
