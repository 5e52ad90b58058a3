from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class StaffTwoFactorRequiredMiddleware:
    """Staff reach the review admin only with two-factor authentication set up.

    allauth asks for the code at sign-in once an authenticator exists; this sends
    staff without one to set it up first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            request.path.startswith(self.admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(request, "Set up two-factor authentication before you use the review admin.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class StaffSessionTimeoutMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request (officers keep
    the ordinary, longer session: they log from a phone they carry). Each staff request
    pushes the expiry on, so it is an idle timeout, not a fixed one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return response


# Sessions signed in before incidents/backends.py (2026-11-23) name the backends it replaced.
# Django trusts a session only if its backend is still listed, so without this every such
# session would be signed out at the deploy, losing any report being sent at that moment.
# Needed for one SESSION_COOKIE_AGE (two weeks) after that release reaches production;
# harmless after, and safe to delete then with its settings entry and tests.
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "incidents.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "incidents.backends.AuthenticationBackend",
}


class RenamedBackendMiddleware:
    """Before the user is loaded: a session naming a replaced backend names its successor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No query for a request without a session cookie; the session is read anyway for
        # one that has one (the user is loaded from it).
        renamed = RENAMED_BACKENDS.get(request.session.get(BACKEND_SESSION_KEY, ""))
        if renamed:
            request.session[BACKEND_SESSION_KEY] = renamed
        return self.get_response(request)
