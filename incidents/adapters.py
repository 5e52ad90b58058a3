from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from incidents.services import account_language_set


class AccountAdapter(DefaultAccountAdapter):
    """Addresses are normalised here, for every form.

    Only officers of a known force may sign up, their work e-mail proving it; that rule lives
    in the sign-up and add-address forms (incidents/forms.py), not here. Here it also refused
    the password reset of every staff account (federation addresses are no force's), and a
    reset must take any address without telling whether it has an account.
    """

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).strip().lower()

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every account e-mail ends with where to ask for help (templates/account/email), and is
        in the language of the account it is for: a password reset asked for from an English
        browser reaches a Welsh-speaking officer in Welsh. An address with no account (or an
        account with no language yet) gets the page's language."""
        language = account_language(context.get("user"), email) or translation.get_language()
        # Its links open their page in the same language, on whatever browser opens them.
        links = {key: link_in_language(context[key], language) for key in EMAIL_LINKS if context.get(key)}
        with translation.override(language):
            super().send_mail(template_prefix, email, {**context, **links, "contact_email": settings.CONTACT_EMAIL})

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new officer's e-mails and later sessions use the language they signed up in."""
        user.language = supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        """Once the password is right, before the other steps (a confirmation e-mail first for an
        address not yet confirmed, which goes in the language chosen)."""
        language_chosen_keep(request, user)
        return super().pre_login(request, user, **kwargs)

    def login(self, request: HttpRequest, user: Any) -> None:
        """The account's language (pre_login has kept a language chosen before signing in)."""
        # The rest of this request is the account's language too: allauth writes its "signed in"
        # message next, shown on the first page after signing in (in the account's language).
        language = supported_language(user.language)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().login(request, user)


def language_chosen_keep(request: HttpRequest, user: Any) -> None:
    """A language chosen on this browser before signing in (the switcher's cookie) becomes the
    account's: the officer who tapped "Cymraeg" on the sign-in page meant it."""
    account_language_set(user=user, language=supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)))


# The links in allauth's e-mails (confirm the address, reset the password, sign up).
EMAIL_LINKS = ("activate_url", "password_reset_url", "signup_url")
# A query parameter naming the language a signed-out page opens in (UserLanguageMiddleware),
# which an e-mail's links carry: the officer may open them on another device.
LANGUAGE_PARAMETER = "lang"


def link_in_language(url: str, language: str) -> str:
    """``url`` with the language parameter set to ``language``."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != LANGUAGE_PARAMETER]
    query.append((LANGUAGE_PARAMETER, language))
    return urlunsplit(parts._replace(query=urlencode(query)))


def supported_language(code: str | None) -> str:
    """``code`` if it is one of the site's languages, else blank."""
    codes = {language for language, _ in settings.LANGUAGES}
    code = (code or "").lower()
    return code if code in codes else ""


def account_language(user: Any, email: str) -> str:
    """The language kept on ``user``'s account, else on the account ``email`` belongs to, else blank."""
    if user is None or not getattr(user, "pk", None):
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address is not None else None
    return supported_language(getattr(user, "language", ""))
