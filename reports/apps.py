from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Statistics and reports"

    def ready(self) -> None:
        # Registers the tasks in every process, the web's too: the services queue them by
        # name (config.celery.publish) and never import this module themselves.
        from incidents.signals import statistics_marked
        from reports import tasks  # noqa: F401
        from reports.services import statistics_refresh_soon

        statistics_marked.connect(statistics_refresh_soon, dispatch_uid="reports.statistics_refresh_soon")
