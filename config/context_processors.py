"""Values every page may show."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def contact(request: HttpRequest) -> dict[str, str]:
    """The address officers and staff write to for help (settings.CONTACT_EMAIL)."""
    return {"contact_email": settings.CONTACT_EMAIL}
