from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


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
