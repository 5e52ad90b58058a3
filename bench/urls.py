"""The app's URLs plus /bench/trivial: the cheapest Django response, the throughput baseline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as app_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), *app_urlpatterns]
