from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Statistics and reports"

    def ready(self) -> None:
        # Registers the tasks in every process, the web's too: the services queue them by
        # name (config.celery.publish) and never import this module themselves.
        from reports import tasks  # noqa: F401
