"""System checks: a bad encryption key fails `manage.py check` (and so a deploy), not a request."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from incidents.fields import fernet


@checks.register(checks.Tags.security)
def field_encryption_keys(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        fernet()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="incidents.E001", hint="Set FIELD_ENCRYPTION_KEYS.")]
    return []
