"""Authentication backends: Django's and allauth's, each loading the signed-in user with
their officer profile and force in the same query.

Every officer page asks for the profile (the officer gate, the services), so loading it
with the user saves a query on every signed-in request (docs/performance.md). Staff have
no profile: the outer join finds none and that is remembered too.
"""

from __future__ import annotations

from typing import Any, Protocol

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model


class _CanAuthenticate(Protocol):
    def user_can_authenticate(self, user: Any) -> bool: ...


class _UserWithOfficerProfile:
    """Mixed into a backend that has user_can_authenticate (Django's, allauth's)."""

    def get_user(self: _CanAuthenticate, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("officer_profile__force").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_UserWithOfficerProfile, backends.ModelBackend):
    pass


class AuthenticationBackend(_UserWithOfficerProfile, allauth_backends.AuthenticationBackend):
    pass
