"""The recording check's answers page in the admin: national staff import the registrar's
filled-in sheet, see a dry run with the values, then import it (issue 20). Reached from a
check's page (reports.admin_checks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from reports.models import RecordingCheck


def answers_import_page(model_admin: Any, request: HttpRequest, check: RecordingCheck) -> HttpResponse:
    """GET: the upload form. POST: checks the file and shows what it would change; a second
    POST imports it. Written by the importer's change (not yet)."""
    raise NotImplementedError
