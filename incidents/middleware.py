from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from incidents.adapters import LANGUAGE_PARAMETER, supported_language
from incidents.models import User


class StaffTwoFactorRequiredMiddleware:
    """Staff reach nothing but the pages that set up two-factor authentication until they have.

    Every page a staff account can open shows more than an officer's (the review admin, the
    national figures with their small counts, the recompute button), so the gate covers every
    path, not a list of staff pages that a new one could be left out of. Open to them: the
    account pages (setting up two-factor, signing out, reauthenticating), static files, the
    health check and CSP reports. allauth asks for the code at sign-in once an authenticator
    exists.
    """

    OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/csp-report", "/favicon.ico")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not request.path.startswith(self.OPEN_PREFIXES)
            and not is_mfa_enabled(user)
        ):
            messages.warning(request, _("Set up two-factor authentication before you use the review or the figures."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.GET]
    # Forms posted as plain fields: their values reach filters and lookups too (the admin's
    # selected rows, its action). Multipart bodies (file uploads) are left to the forms, whose
    # text fields refuse NUL themselves; a file may rightly hold any byte.
    if request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
        sources.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values) for data in sources for key, values in data.lists()
    )


class RejectNulBytesMiddleware:
    """A NUL byte in the address, its query or a plain form is refused with a 400 page.

    No page here takes one, and PostgreSQL cannot hold one in text: every query it reached
    (a report reference, a filter of the review list, the access log of an export) failed
    with a 500. Refusing it here, once, covers every view, those yet to be written included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            reason = _("The address or form holds a character that cannot be used. Check the link and try again.")
            return render(request, "400.html", {"reason": reason}, status=400)
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


class UserLanguageMiddleware:
    """The language of a signed-in officer's pages is the one kept on their account (chosen with
    the switcher, or the one they signed up in), whatever the browser asks for; signed-out pages
    follow a link's ?lang= (an account e-mail's links carry it), else the language cookie, else
    the browser (LocaleMiddleware). The browser's cookie is kept
    in step with the account, so the sign-in page after signing out stays in the same language.

    The review admin is English for everyone: reps work in English, and a half-translated admin
    (Django's own strings in Welsh, the review's in English) would be worse than either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        chosen = ""
        if request.path.startswith(self.admin_prefix):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        elif isinstance(user, User) and user.language:
            chosen = user.language
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        elif named := supported_language(request.GET.get(LANGUAGE_PARAMETER)):
            # A link from an account e-mail, opened signed out (perhaps on another device): its
            # page, and the pages after it, in the e-mail's language.
            chosen = named
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if (
            chosen
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen
        ):
            language_cookie_set(response, chosen)
        return response


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """The language cookie, as Django's set_language view writes it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
    )
