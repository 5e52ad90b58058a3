"""The installable, offline app: the web manifest, the service worker (served from the site
root, so its scope is the whole site), the page shown with no signal, and the small JSON view
the phone's outbox asks before sending (a fresh CSRF token, and whose reports it may send).

See static/js/outbox.js and templates/offline/sw.js for what happens on the phone.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles.finders import find
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from incidents.models import User, signed_in_user
from incidents.selectors import officer_profile_for_user

# What the phone keeps to open the app with no signal: the layout's files and the icons.
PRECACHE_STATIC = [
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "js/app.js",
    "js/outbox.js",
    "favicon.svg",
    "icons/icon-192.png",
]


def outbox_owner(user: User) -> str:
    """An opaque tag for the signed-in officer: reports saved on a phone are sent only for them."""
    return salted_hmac("assault-log.outbox-owner", str(user.pk)).hexdigest()[:20]


@cache
def _static_version() -> str:
    """Changes when any precached file or the worker changes, so phones fetch the new ones."""
    digest = hashlib.sha256()
    for name in PRECACHE_STATIC:
        digest.update(static(name).encode())
        path = find(name)
        if isinstance(path, str):
            with open(path, "rb") as file:  # noqa: PTH123
                digest.update(file.read())
    digest.update(render_to_string("offline/sw.js", {}).encode())
    return digest.hexdigest()[:12]


def _version() -> str:
    if settings.DEBUG:
        _static_version.cache_clear()
    return _static_version()


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    offline_url = reverse("offline")
    context = {
        "version": _version(),
        "outbox_js": json.dumps(static("js/outbox.js")),
        "precache": json.dumps([offline_url, *(static(name) for name in PRECACHE_STATIC)]),
        "offline_url": json.dumps(offline_url),
        "quick_url": json.dumps(reverse("incidents:quick")),
        "list_url": json.dumps(reverse("incidents:list")),
        # The page kept for no signal is in the officer's language: a worker of another language
        # is a new worker, which keeps that page anew (its cache is named with the language).
        "language": translation.get_language(),
    }
    return render(request, "offline/sw.js", context, content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web manifest, in the request's language (its description and shortcuts)."""
    data = {
        "name": "Assault Log",
        "short_name": "Assault Log",
        "description": _("Log an assault on duty in under a minute, with or without signal."),
        "id": "/",
        "start_url": reverse("incidents:quick"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#143d6b",
        "lang": "cy" if translation.get_language() == "cy" else "en-GB",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
        "shortcuts": [
            {"name": _("Log an assault"), "url": reverse("incidents:quick")},
            {"name": _("My reports"), "url": reverse("incidents:list")},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """The page the phone shows with no signal; the same for everyone (it is cached on the phone)."""
    variant = request.GET.get("v", "none")
    if variant not in ("none", "saved", "list"):
        variant = "none"
    # No one's tag on it: the page is kept on the phone for whoever is signed in next.
    return render(request, "offline/offline.html", {"variant": variant, "outbox_owner": ""})


@require_GET
@never_cache
def token(request: HttpRequest) -> JsonResponse:
    """What the outbox needs before sending: a CSRF token for this session and whose it is."""
    if officer_profile_for_user(request.user) is None:
        return JsonResponse({"signIn": reverse("account_login")}, status=401)
    user = signed_in_user(request)  # an officer
    return JsonResponse({"csrfToken": get_token(request), "owner": outbox_owner(user)})
