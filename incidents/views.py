"""The officer's pages. Each view: gate, bound form, service, redirect with a message."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from incidents import forms, services
from incidents.adapters import supported_language
from incidents.choices import Status
from incidents.middleware import language_cookie_set
from incidents.models import Incident, User, signed_in_user
from incidents.ratelimits import ACCOUNT_CLOSE, REPORT_SUBMIT, filed, rate_limited
from incidents.selectors import (
    incident_get_for_user,
    incident_history_for_officer,
    incident_list_for_officer,
    incident_open_question,
    incident_questions_for_officer,
    incident_recent_with_same_answers,
    incident_summary,
    incident_values,
    incident_waiting_for_officer,
    officer_data_export,
    officer_data_rows,
    officer_profile_for_user,
)
from incidents.spreadsheets import csv_response

View = Callable[..., HttpResponseBase]
MY_REPORTS_PAGE_SIZE = 20


def officer_required(view: View) -> View:
    """Signed in, and an officer: staff and others get a page that says so."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if officer_profile_for_user(request.user) is None:
            return render(request, "incidents/not_officer.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _attach_service_errors(form: BaseForm, error: ValidationError) -> None:
    """The service's refusal, on the form: a field's message by its field, any other at the top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
        return
    for item in error.error_list:
        form.add_error(None, item)
        if item.code == services.SUBMISSION_KEY_TAKEN:
            # Sent again, the same key would be refused again: the page carries a fresh one.
            # Bound to request.POST (_posted): a QueryDict.
            data = cast(QueryDict, form.data).copy()
            data["submission_key"] = str(uuid.uuid4())
            form.data = data


@require_http_methods(["POST"])
def language_set(request: HttpRequest) -> HttpResponseBase:
    """The switcher ("Cymraeg" / "English", a plain form, no JavaScript): Django's set_language
    sets the cookie and goes back; a signed-in user's account keeps the choice, for their
    e-mails and their next sessions on any device."""
    response = set_language(request)
    language = supported_language(request.POST.get("language"))
    if language and request.user.is_authenticated:
        services.account_language_set(user=signed_in_user(request), language=language)
    return response


def home(request: HttpRequest) -> HttpResponse:
    profile = officer_profile_for_user(request.user)
    if profile is None:
        return render(request, "home.html", {"profile": None})
    user = signed_in_user(request)  # an officer
    recent = list(incident_list_for_officer(user)[:3])
    waiting = incident_waiting_for_officer(user)
    return render(request, "home.html", {"profile": profile, "recent": recent, "waiting": waiting})


@officer_required
@require_http_methods(["GET", "POST"])
@rate_limited(REPORT_SUBMIT, rate_setting="REPORT_SUBMIT_RATE", count=filed)
def quick_log(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.QuickLogForm(
        _posted(request), initial={"occurred_on": timezone.localdate(), "submission_key": uuid.uuid4()}
    )
    if request.method == "POST" and form.is_valid():
        earlier = _sent_twice(request, user, form, started=False)
        if earlier is not None:
            return _same_answers_page(request, earlier, started=False)
        try:
            incident = services.incident_quick_log(
                officer=user,
                submission_key=form.cleaned_data["submission_key"],
                data=form.incident_data(),
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            return redirect("incidents:submitted", reference=incident.reference)
    context = {"form": form, "blank_form_html": None if form.is_bound else _blank_quick_log_html(form)}
    return render(request, "incidents/quick_log.html", context, status=_form_status(form))


def _sent_twice(request: HttpRequest, user: User, form: forms.IncidentFormBase, *, started: bool) -> Incident | None:
    """The report this one repeats (a draft, when a full report is ``started``), unless the
    officer said it is another."""
    if request.POST.get(forms.ANOTHER):
        return None
    return incident_recent_with_same_answers(
        user, form.incident_data(), submission_key=form.cleaned_data["submission_key"], drafts=started
    )


def _same_answers_page(request: HttpRequest, earlier: Incident, *, started: bool) -> HttpResponse:
    """Ask before filing a second report with the same answers: the earlier one's reference,
    "It's the same one" (a link to it) and "Log another" (the same answers sent again, marked
    as another). Answered 409 so a client sending from the phone's outbox can tell."""
    resend = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", forms.ANOTHER)
        for value in values
    ]
    minutes = max(1, round((timezone.now() - earlier.created_at).total_seconds() / 60))
    context = {
        "earlier": earlier,
        "minutes": minutes,
        "started": started,
        "resend": resend,
        "action": request.path,
        "another": forms.ANOTHER,
    }
    response = render(request, "incidents/same_answers.html", context, status=409)
    response["X-Same-As"] = earlier.reference
    return response


_BLANK_QUICK_LOG_HTML: dict[tuple[datetime.date, str], str] = {}


def _blank_quick_log_html(form: forms.QuickLogForm) -> str | None:
    """The blank quick log's questions as HTML, rendered once a day per process and language.

    Rendering the fields through crispy-forms is most of the page's cost, and a blank form
    differs only by its date and its language (the one-time key is rendered beside it): see
    docs/performance.md. Not under DEBUG, so template edits show at once.
    """
    if settings.DEBUG:
        return None
    key = (form.initial["occurred_on"], translation.get_language() or settings.LANGUAGE_CODE)
    html = _BLANK_QUICK_LOG_HTML.get(key)
    if html is None:
        html = render_crispy_form(form)
        if any(day != key[0] for day, _language in _BLANK_QUICK_LOG_HTML):
            _BLANK_QUICK_LOG_HTML.clear()  # yesterday's
        _BLANK_QUICK_LOG_HTML[key] = html
    return html


@officer_required
def submitted(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_get_for_user(request.user, reference)
    return render(request, "incidents/submitted.html", {"incident": incident})


@officer_required
@require_http_methods(["GET", "POST"])
@rate_limited(REPORT_SUBMIT, rate_setting="REPORT_SUBMIT_RATE", count=filed)
def report_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.WhenWhereForm(
        _posted(request), initial={"occurred_on": timezone.localdate(), "submission_key": uuid.uuid4()}
    )
    if request.method == "POST" and form.is_valid():
        earlier = _sent_twice(request, user, form, started=True)
        if earlier is not None:
            return _same_answers_page(request, earlier, started=True)
        try:
            incident = services.incident_draft_start(
                officer=user,
                submission_key=form.cleaned_data["submission_key"],
                data=form.incident_data(),
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            return redirect("incidents:step", reference=incident.reference, step=2)
    return _render_step(request, form, incident=None, step=1)


@officer_required
@require_http_methods(["GET", "POST"])
def report_step(request: HttpRequest, reference: str, step: int) -> HttpResponse:
    user = signed_in_user(request)
    incident = incident_get_for_user(user, reference)
    if not 1 <= step <= len(forms.STEPS):
        return redirect("incidents:step", reference=incident.reference, step=1)
    if not incident.is_officer_editable:
        messages.info(request, _("This report is being reviewed, so it can no longer be changed."))
        return redirect("incidents:detail", reference=incident.reference)
    form_class = forms.STEPS[step - 1]
    form = form_class(_posted(request), initial=_initial(incident, form_class), incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, actor=user, data=form.incident_data())
        except ValidationError as error:
            _attach_service_errors(form, error)
        except services.IncidentNotEditable:
            messages.info(request, _("This report is being reviewed, so it can no longer be changed."))
            return redirect("incidents:detail", reference=incident.reference)
        else:
            if step < len(forms.STEPS) and "save_and_exit" not in request.POST:
                return redirect("incidents:step", reference=incident.reference, step=step + 1)
            if incident.status == Status.DRAFT:
                return redirect("incidents:check", reference=incident.reference)
            messages.success(request, _("Your changes to %(reference)s are saved.") % {"reference": incident.reference})
            return redirect("incidents:detail", reference=incident.reference)
    return _render_step(request, form, incident=incident, step=step)


@officer_required
@require_http_methods(["GET", "POST"])
@rate_limited(REPORT_SUBMIT, rate_setting="REPORT_SUBMIT_RATE", count=filed)
def report_check(request: HttpRequest, reference: str) -> HttpResponse:
    """A draft's last page: everything it says, and the button that submits it."""
    user = signed_in_user(request)
    incident = incident_get_for_user(user, reference)
    if incident.status != Status.DRAFT:
        # A second press, or a resubmit whose first answer was lost: the report is filed,
        # so the officer gets the confirmation the first press would have shown.
        if request.method == "POST" and incident.status != Status.WITHDRAWN:
            return redirect("incidents:submitted", reference=incident.reference)
        return redirect("incidents:detail", reference=incident.reference)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.incident_submit(incident=incident, actor=user)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect("incidents:submitted", reference=incident.reference)
    return render(
        request,
        "incidents/check.html",
        {"incident": incident, "summary": incident_summary(incident), "errors": errors},
        status=400 if errors else 200,
    )


@officer_required
def my_reports(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(incident_list_for_officer(user), MY_REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/my_reports.html", {"page": page})


@officer_required
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_get_for_user(request.user, reference)
    return _render_detail(request, incident, forms.AnswerForm())


@officer_required
@require_http_methods(["POST"])
def report_answer(request: HttpRequest, reference: str) -> HttpResponse:
    """The officer answers the federation's question; the report goes back into review."""
    user = signed_in_user(request)
    incident = incident_get_for_user(user, reference)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.incident_answer_question(incident=incident, actor=user, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            _attach_service_errors(form, error)
        except services.IncidentNotEditable:
            messages.info(request, _("There is no open question on this report."))
            return redirect("incidents:detail", reference=incident.reference)
        else:
            messages.success(request, _("Thank you: your answer is with your federation."))
            return redirect("incidents:detail", reference=incident.reference)
    return _render_detail(request, incident, form)


def _render_detail(request: HttpRequest, incident: Incident, answer_form: forms.AnswerForm) -> HttpResponse:
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "summary": incident_summary(incident),
            "history": incident_history_for_officer(incident),
            "questions": incident_questions_for_officer(incident),
            "open_question": incident_open_question(incident),
            "answer_form": answer_form,
        },
        status=_form_status(answer_form),
    )


@officer_required
@require_http_methods(["GET", "POST"])
def report_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    incident = incident_get_for_user(user, reference)
    if not incident.is_officer_editable:
        messages.info(request, _("This report is being reviewed, so it can no longer be withdrawn."))
        return redirect("incidents:detail", reference=incident.reference)
    if request.method == "POST":
        try:
            services.incident_withdraw(incident=incident, actor=user)
        except services.IncidentNotEditable:
            messages.info(request, _("This report is being reviewed, so it can no longer be withdrawn."))
        else:
            messages.success(
                request,
                _("Report %(reference)s is withdrawn. It will not count in the figures.")
                % {"reference": incident.reference},
            )
        return redirect("incidents:detail", reference=incident.reference)
    return render(request, "incidents/withdraw.html", {"incident": incident})


@officer_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    officer = officer_profile_for_user(request.user)
    if officer is None:  # officer_required lets only officers in
        raise PermissionDenied
    form = forms.ProfileForm.for_profile(officer, data=_posted(request))
    if request.method == "POST" and form.is_valid():
        services.officer_profile_update(profile=officer, data=form.cleaned_data)
        language = form.cleaned_data.get("language")
        if language:
            # The message and the page after it in the language just chosen.
            translation.activate(language)
            request.LANGUAGE_CODE = language
        messages.success(request, _("Your details are saved."))
        response = redirect("incidents:profile")
        if language:
            language_cookie_set(response, language)
        return response
    return render(request, "incidents/profile.html", {"form": form, "profile": officer}, status=_form_status(form))


@officer_required
@require_http_methods(["GET"])
def my_data(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """Everything held about the officer, as JSON or as a CSV a spreadsheet opens."""
    user = signed_in_user(request)
    export = officer_data_export(user)
    stem = f"assault-log-my-data-{timezone.localdate():%Y%m%d}"
    if file_format == "json":
        response: HttpResponseBase = JsonResponse(export, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        header = [
            pgettext("data download column", "Section"),
            pgettext("data download column", "Report"),
            pgettext("data download column", "Item"),
            pgettext("data download column", "Value"),
        ]
        response = csv_response(header, officer_data_rows(export), stem=stem)
    response["Cache-Control"] = "no-store"
    return response


@officer_required
@require_http_methods(["GET", "POST"])
@rate_limited(ACCOUNT_CLOSE, rate_setting="ACCOUNT_CLOSE_RATE")
def account_close(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.CloseAccountForm(user, data=_posted(request))
    if request.method == "POST" and form.is_valid():
        services.officer_account_close(officer=user)
        logout(request)
        messages.success(request, _("Your account is closed. Your reports now count only as anonymous statistics."))
        return redirect("home")
    context = {
        "form": form,
        "report_count": incident_list_for_officer(user).exclude(status=Status.DRAFT).count(),
    }
    return render(request, "incidents/close_account.html", context, status=_form_status(form))


def _posted(request: HttpRequest) -> QueryDict | None:
    """POST data, even when empty: an empty POST is a submitted form with nothing filled in."""
    return request.POST if request.method == "POST" else None


def _form_status(form: BaseForm) -> int:
    """Re-rendering a form because of bad input answers 400, so clients and tests can tell."""
    return 400 if form.is_bound and form.errors else 200


def _initial(incident: Incident, form_class: type[forms.IncidentFormBase]) -> dict[str, Any]:
    values = incident_values(incident)
    initial = {name: values[name] for name in form_class.base_fields if name in values}
    for name, value in initial.items():
        if isinstance(value, set):
            initial[name] = sorted(value)
        elif isinstance(value, bool):
            initial[name] = str(value)
    return initial


def _render_step(
    request: HttpRequest, form: forms.IncidentFormBase, *, incident: Incident | None, step: int
) -> HttpResponse:
    steps = [
        {"number": number, "title": form_class.title, "current": number == step}
        for number, form_class in enumerate(forms.STEPS, start=1)
    ]
    action = (
        reverse("incidents:new")
        if incident is None
        else reverse("incidents:step", kwargs={"reference": incident.reference, "step": step})
    )
    return render(
        request,
        "incidents/step.html",
        {
            "form": form,
            "incident": incident,
            "step": step,
            "steps": steps,
            "step_count": len(forms.STEPS),
            "title": forms.STEPS[step - 1].title,
            "action": action,
            "is_last": step == len(forms.STEPS),
            "is_draft": incident is None or incident.status == Status.DRAFT,
            # Changes whenever the report is saved: the page script restores unsent
            # answers only onto the version they were typed against.
            "version": incident.updated_at.isoformat() if incident else "new",
        },
        status=_form_status(form),
    )
