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

        # The recording check's answers on a report's review page, for national staff.
        from incidents.admin.sections import review_page_section_register
        from reports.admin_check_answers import recording_check_section

        review_page_section_register(recording_check_section)
