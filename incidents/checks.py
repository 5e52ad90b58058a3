"""System checks: a configuration that would hurt officers fails `manage.py check` (and so a
deploy), not a request. The deploy ones run with ``check --deploy`` (``make prod-check``, CI)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from incidents.fields import fernet

# Backends that never deliver a message: the console and file ones write it, reset links and
# addresses included, where the logs or the disk keep it.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@checks.register(checks.Tags.security)
def field_encryption_keys(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        fernet()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="incidents.E001", hint="Set FIELD_ENCRYPTION_KEYS.")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def client_address_behind_proxy(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production runs behind a load balancer (it trusts X-Forwarded-Proto), so the sign-in
    limits must be told where the client's own address is, or they count everyone as one."""
    if not settings.PRODUCTION or settings.TRUSTED_PROXY_COUNT or settings.TRUSTED_CLIENT_IP_HEADER:
        return []
    return [
        checks.Error(
            "Behind the load balancer every client has its address: one person's failed sign-ins "
            "would lock every officer out.",
            id="incidents.E002",
            hint="Set TRUSTED_PROXY_COUNT to the number of proxies that add to X-Forwarded-For "
            "(1 for one load balancer), or TRUSTED_CLIENT_IP_HEADER to the header your proxy sets "
            "(docs/deploy.md).",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def email_is_delivered(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production with EMAIL_URL unset would print reset links, addresses and receipts to the log."""
    if not settings.PRODUCTION or settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        checks.Error(
            f"E-mail would not be sent but written by {settings.EMAIL_BACKEND}: password reset links, "
            "addresses and receipts would end up in the logs.",
            id="incidents.E003",
            hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587.",
        )
    ]
