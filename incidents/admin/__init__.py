"""The review admin. Staff sign in through allauth (rate limits, two-factor
authentication), never through the admin's own login form."""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin

from incidents.admin import access, accounts, incident

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's sign-in wraps it
admin.site.site_header = "Assault Log review"
admin.site.site_title = "Assault Log review"
admin.site.index_title = "Federation review"
# The app list is one click away on the home page; beside the review list's filters it would
# push the columns a rep works from off a 1280 px screen.
admin.site.enable_nav_sidebar = False

__all__ = ["access", "accounts", "incident"]
