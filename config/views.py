"""Project-wide views: the error pages for an outage, for too many attempts and for a form
whose security token failed, and the CSP report endpoint. The health check is reports.health
(it reads the statistics' state)."""

from __future__ import annotations

import json
import logging
import re
import sys
from urllib.parse import urlsplit

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database or cache outage is a 503 "briefly unavailable" page, not an error.

    Django calls this inside its exception handler, from a view or from any middleware
    (the session and user lookups run before the view), so sys.exc_info() is the cause.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        cause = "database"
    elif isinstance(error, redis.RedisError):
        # The cache (sign-in and export rate limits); filing carries on without it
        # (incidents/ratelimits.py).
        cause = "cache"
    else:
        with translation.override(_request_language(request)):
            return django_server_error(request)
    logger.warning("%s unavailable path=%s", cause, request.path)
    with translation.override(_request_language(request)):
        response = HttpResponse(loader.get_template("503.html").render({"cause": cause}), status=503)
    response["Retry-After"] = "30"
    return response


def _request_language(request: HttpRequest) -> str:
    """The language the error page is in: the one chosen for this request (the account's, the
    switcher's cookie or the browser's, set by the middleware), else the cookie's or the
    browser's when the error came before the middleware chose (read with no database or cache:
    one of them may be what failed). The page is rendered with no request, so it is set here."""
    return getattr(request, "LANGUAGE_CODE", "") or translation.get_language_from_request(request)


# allauth's own limits (sign-in, sign-up, password reset, reauthentication) count attempts
# over a minute: by then the oldest has left the window.
ALLAUTH_RETRY_AFTER_SECONDS = 60


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    """handler429, which allauth calls when one of its rate limits refuses a request: the
    site's page, in the request's language (active by then: allauth's limits are checked in its
    views), and a Retry-After saying when to try again."""
    response = HttpResponse(loader.render_to_string("429.html", request=request), status=429)
    response["Retry-After"] = str(ALLAUTH_RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with a token that no longer matches (the page was open
    across a sign-in or sign-out, or for days) or with cookies off. Django's own page is
    English and technical; this one is the site's, in the request's language (chosen by the
    middleware before the check), and says that nothing was saved and what to do. Django has
    already logged the reason (django.security.csrf)."""
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context, request=request))


CSP_REPORT_MAX_BYTES = 16_384
csp_logger = logging.getLogger("config.csp")


@csrf_exempt  # browsers post reports without a token
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a Content-Security-Policy violation the browser reports: the directive, the
    blocked origin and the page's path (references at most), never query strings or samples."""
    if len(request.body) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(request.body).get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    blocked = str(report.get("blocked-uri", ""))
    blocked_origin = urlsplit(blocked).netloc or blocked.split(":")[0][:40]
    # A directive is a token ("script-src-elem"): anything else a script sent is not logged
    # as sent (the log formatters escape control characters in every message as well).
    directive = str(report.get("effective-directive") or report.get("violated-directive", ""))
    csp_logger.warning(
        "csp violation directive=%s blocked=%s page=%s",
        re.sub(r"[^A-Za-z0-9-]", "?", directive[:60]),
        blocked_origin[:100],
        urlsplit(str(report.get("document-uri", ""))).path[:200],
    )
    return HttpResponse(status=204)
