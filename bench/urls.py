"""The app's URLs plus /bench/trivial: the cheapest Django response, the throughput baseline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as app_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def trivial_signed_in(request: HttpRequest) -> HttpResponse:
    """The same, after loading the session and the user, as every signed-in page does."""
    return HttpResponse("ok" if request.user.is_authenticated else "anonymous", content_type="text/plain")


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/trivial-signed-in", trivial_signed_in),
    *app_urlpatterns,
]
