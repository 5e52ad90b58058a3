from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from incidents.selectors import force_domain_for_email


class AccountAdapter(DefaultAccountAdapter):
    """Only officers of a known force may sign up: their work e-mail proves it."""

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).strip().lower()
        if force_domain_for_email(email) is None:
            domain = email.rpartition("@")[2]
            raise ValidationError(
                f"Use your force e-mail address. “{domain}” is not a police force domain we know. "
                "If it is your force's, ask your federation branch to add it."
            )
        return email
