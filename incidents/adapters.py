from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


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
        """Every account e-mail ends with where to ask for help (templates/account/email)."""
        super().send_mail(template_prefix, email, {**context, "contact_email": settings.CONTACT_EMAIL})

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new officer's e-mails and later sessions use the language they signed up in."""
        user.language = supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def login(self, request: HttpRequest, user: Any) -> None:
        """A language chosen on this browser before signing in (the switcher's cookie) becomes
        the account's: the officer who tapped "Cymraeg" on the sign-in page meant it."""
        chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
        if chosen and chosen != user.language:
            user.language = chosen
            type(user).objects.filter(pk=user.pk).update(language=chosen)
        super().login(request, user)


def supported_language(code: str | None) -> str:
    """``code`` if it is one of the site's languages, else blank."""
    codes = {language for language, _ in settings.LANGUAGES}
    code = (code or "").lower()
    return code if code in codes else ""
