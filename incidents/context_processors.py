"""Values the officer's pages need in their layout."""

from __future__ import annotations

from django.http import HttpRequest

from incidents.offline import outbox_owner as owner_tag


def outbox_owner(request: HttpRequest) -> dict[str, str]:
    """The signed-in officer's opaque tag: the phone's outbox sends a report only for them,
    and the service worker is registered only for officers."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    return {"outbox_owner": owner_tag(user)}
