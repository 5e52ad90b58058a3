from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Assault reports"

    def ready(self) -> None:
        from incidents import checks  # noqa: F401  (registers the system checks)
