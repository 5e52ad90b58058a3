from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Assault reports"

    def ready(self) -> None:
        # Registers the tasks in every process, the web's too: the services queue them by
        # name (config.celery.publish) and never import this module themselves.
        from incidents import (
            checks,  # noqa: F401  (registers the system checks)
            tasks,  # noqa: F401
        )
