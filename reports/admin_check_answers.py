"""The recording check's answers in the admin (issue 20).

The answers page: national staff import the registrar's filled-in sheet, see a dry run with
each row's values and how many rows a later file may still answer, then import it with one
more press (reached from a check's page, reports.admin_checks). A registrar may answer in
batches: each file adds answers to rows that have none; a file that may not be imported
(it would change an answer already in, or answer a check used in the figures) is refused at
the dry run, saying why and naming each changed row. Between the two presses the checked
answers wait in the uploader's session under a token, for a day at most: the answers only,
never the file, whose crime references are held nowhere else unencrypted.

And the check's section on a report's review page (registered from ReportsConfig.ready()
into incidents.admin.sections), for national staff only: the check and the report's row id
on the registrar's sheet, to match the two.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, User, signed_in_user
from reports.choices import CheckStatus
from reports.importing.answers import Answer, parse_answers_file
from reports.models import RecordingCheck, RecordingCheckItem
from reports.periods import financial_year_label
from reports.services.check_answers import AnswersRefused, answer_text, recording_check_answers_import
from reports.services.checks import counted_in_year

# A registrar's sheet is a few hundred rows, two thousand at most: a few hundred kilobytes.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Checked answers wait this long for their uploader to confirm them.
PENDING_FOR = datetime.timedelta(days=1)
SESSION_KEY = "recording_check_answers"
TEMPLATE = "admin/reports/recordingcheck/answers.html"


class AnswersForm(forms.Form):
    required_css_class = "required"  # the admin's bold label for a field that must be filled
    file = forms.FileField(
        label="Filled-in sheet",
        help_text="The sheet the force's crime registrar filled in, as CSV or XLSX (ODS too). Columns may be "
        "moved or added; the row id and the four answer columns are read by their names.",
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        return bytes(upload.read())


class ConfirmForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)


def answers_import_page(model_admin: Any, request: HttpRequest, check: RecordingCheck) -> HttpResponse:
    """GET: the upload form. POST: checks the file and shows what it would change, with the
    values; a second POST (with the token) imports what was checked."""
    if not request.user.has_perm("reports.import_recordingcheck_answers"):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, check)
    form = AnswersForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "title": f"Import the registrar's answers: recording check {check.pk}",
        "opts": model_admin.opts,
        "check": check,
        "year": financial_year_label(check.financial_year),
        "form": form,
        "cancelled": check.status == CheckStatus.CANCELLED,
        "used": check.status == CheckStatus.USED,
        "rows": check.items.count(),
        "unanswered": check.items.filter(found="").count(),
    }
    if request.method == "POST" and form.is_valid():
        parsed = parse_answers_file(form.cleaned_data["file"], check)
        context["parsed"] = parsed
        if not parsed.problems:
            try:
                plan = recording_check_answers_import(
                    check, parsed.answers, actor=signed_in_user(request), dry_run=True
                )
            except AnswersRefused as error:
                context["refused"] = error
            else:
                context["plan"] = plan
                if plan.new:
                    upload = cast(UploadedFile, request.FILES["file"])  # the one file the form took
                    token = _keep(request, check, upload.name or "", parsed.answers)
                    context["confirm"] = ConfirmForm(initial={"token": token})
                    context["file_name"] = upload.name
    return TemplateResponse(request, TEMPLATE, context)


def _confirm(request: HttpRequest, check: RecordingCheck) -> HttpResponse:
    page = reverse("admin:reports_recordingcheck_answers", args=[check.pk])
    confirm = ConfirmForm(request.POST)
    token = str(confirm.cleaned_data["token"]) if confirm.is_valid() else ""
    kept = _kept(request, check, token)
    if kept is None:
        messages.error(
            request,
            "Those checked answers are no longer waiting (a day has passed, you signed out, or they were "
            "imported). Choose the file again.",
        )
        return redirect(page)
    file_name, answers = kept
    try:
        plan = recording_check_answers_import(check, answers, actor=signed_in_user(request), dry_run=False)
    except AnswersRefused as error:
        problems = "; ".join(str(problem) for problem in error.problems[:5])
        messages.error(request, f"Nothing was imported. {error} {problems}".strip())
        return redirect(page)
    _forget(request, token)
    if plan.new:
        new, blank = len(plan.new), plan.unanswered
        later = f"; {blank} row{pluralize(blank)} of the check still blank, for a later file" if blank else ""
        messages.success(
            request,
            f"Imported {file_name}: {new} new answer{pluralize(new)} ({len(plan.unchanged)} already in{later}).",
        )
    else:
        messages.info(request, f"{file_name} changes nothing: every answer in it is held already.")
    return redirect(reverse("admin:reports_recordingcheck_change", args=[check.pk]))


# -- checked answers waiting for their uploader's second press ---------------------------


def _keep(request: HttpRequest, check: RecordingCheck, file_name: str, answers: list[Answer]) -> str:
    """Keep checked answers in the uploader's session, and give the token that finds them."""
    now = timezone.now()
    waiting = {
        token: entry
        for token, entry in request.session.get(SESSION_KEY, {}).items()
        if now - datetime.datetime.fromisoformat(entry["at"]) < PENDING_FOR
    }
    token = str(uuid.uuid4())
    waiting[token] = {
        "check": check.pk,
        "user": signed_in_user(request).pk,
        "at": now.isoformat(),
        "file_name": file_name[:200],
        "answers": [
            [
                a.row_id,
                a.found,
                a.offence,
                a.offence_other,
                a.recorded_on.isoformat() if a.recorded_on else "",
                a.line,
                a.sheet,
            ]
            for a in answers
        ],
    }
    request.session[SESSION_KEY] = waiting
    return token


def _kept(request: HttpRequest, check: RecordingCheck, token: str) -> tuple[str, list[Answer]] | None:
    """The answers kept under ``token`` for this check and this user, if under a day old."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if (
        entry is None
        or entry["check"] != check.pk
        or entry["user"] != signed_in_user(request).pk
        or timezone.now() - datetime.datetime.fromisoformat(entry["at"]) >= PENDING_FOR
    ):
        return None
    answers = [
        Answer(row_id, found, offence, other, datetime.date.fromisoformat(day) if day else None, line, sheet)
        for row_id, found, offence, other, day, line, sheet in entry["answers"]
    ]
    return entry["file_name"], answers


def _forget(request: HttpRequest, token: str) -> None:
    waiting = request.session.get(SESSION_KEY, {})
    waiting.pop(token, None)
    request.session[SESSION_KEY] = waiting


# -- the section on a report's review page ----------------------------------------------


def recording_check_section(incident: Incident, user: User) -> str:
    """The checks this report was drawn in, with the registrar's answer to each: for national
    staff only (whoever may view recording checks), and nothing when it was drawn in none."""
    if not user.has_perm("reports.view_recordingcheck"):
        return ""
    items = RecordingCheckItem.objects.filter(incident=incident).select_related("recording_check")
    lines = [_section_line(item) for item in items.order_by("-recording_check__created_at")]
    if not lines:
        return ""
    return render_to_string("admin/reports/recordingcheck/answers_report_section.html", {"lines": lines})


def _section_line(item: RecordingCheckItem) -> dict[str, Any]:
    check = item.recording_check
    counted = counted_in_year(item, check.financial_year)
    return {
        "check": check,
        "year": financial_year_label(check.financial_year),
        "row_id": item.row_id,
        "answer": answer_text(item.found, item.offence, item.offence_other, item.recorded_on),
        "answered_at": item.answered_at,
        "counted": "" if counted is None else ("yes" if counted else "no"),
        "cancelled": check.status == CheckStatus.CANCELLED,
    }
