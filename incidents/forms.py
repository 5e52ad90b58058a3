"""Forms check shape and normalise input; the rules across fields are shared with
the services (``incident_rule_errors``) so both give the same message."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from allauth.account.forms import AddEmailForm, LoginForm, ResetPasswordForm, SignupForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents import services
from incidents.adapters import supported_language
from incidents.choices import (
    Answer,
    AssaultKind,
    BackupWait,
    Duty,
    Injury,
    NotReportedReason,
    Outcome,
    RecordedAsCrime,
    ReportedToForce,
    ServiceBand,
    Setting,
)
from incidents.models import (
    ANSWER_MAX_LENGTH,
    CRIME_REFERENCE_MAX_LENGTH,
    MAX_DAYS_OFF,
    MAX_OFFENDERS,
    MAX_OTHER_OFFICERS,
    NARRATIVE_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    Incident,
    OfficerProfile,
    incident_rule_errors,
)
from incidents.selectors import force_domain_for_email, incident_values, officer_profile_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a dev requirement: for the type checker only

QUICK_NOTE_MAX_LENGTH = 200


def lazy_format(message: StrOrPromise, **params: object) -> str:
    """``message % params``, put into words when shown, in the page's language (a field's text
    is made once, when its form class is)."""
    return lazy(lambda: str(message) % params, str)()


class CrispyMixin:
    """Render through crispy without its own <form> tag: templates own the form element."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def date_field() -> forms.DateField:
    return forms.DateField(
        label=gettext_lazy("When did it happen?"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Enter the date it happened."),
            "invalid": gettext_lazy("Enter a real date, like 21/11/2026."),
        },
    )


def assaults_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=gettext_lazy("What happened?"),
        help_text=gettext_lazy("Choose everything that applies."),
        choices=AssaultKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one thing that happened.")},
    )


def injury_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Were you injured?"),
        choices=Injury.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the injury, or 'No injury'.")},
    )


def reported_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Did you report it to your force?"),
        help_text=gettext_lazy("For example on a crime report, use-of-force form or to a supervisor."),
        choices=ReportedToForce.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether you reported it to your force.")},
    )


def optional_choice(
    label: StrOrPromise, choices: Sequence[tuple[str, StrOrPromise]], help_text: StrOrPromise = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, required=False, widget=forms.RadioSelect, help_text=help_text
    )


def yes_no_unsure(label: StrOrPromise) -> forms.ChoiceField:
    """Yes, no or not sure, each kept as said; left alone, not answered."""
    return forms.ChoiceField(label=label, choices=Answer.choices, required=False, widget=forms.RadioSelect)


def number_field(
    label: StrOrPromise, *, min_value: int, max_value: int, help_text: StrOrPromise = ""
) -> forms.IntegerField:
    out_of_range = lazy_format(
        gettext_lazy("Enter a number from %(min_value)s to %(max_value)s."), min_value=min_value, max_value=max_value
    )
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": out_of_range,
            "max_value": out_of_range,
            "invalid": gettext_lazy("Enter a whole number."),
        },
    )


def submission_key_field() -> forms.CharField:
    return forms.CharField(required=False, widget=forms.HiddenInput)


# Sent by "Log another" on the page that asks whether a report was sent twice.
ANOTHER = "another"


def clean_submission_key(value: str) -> uuid.UUID:
    """A missing or mangled key gets a fresh one: the officer never sees an error for it."""
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return uuid.uuid4()


class IncidentFormBase(CrispyMixin, forms.Form):
    """A form over part of a report, checked against the report as it stands."""

    def __init__(self, *args: Any, incident: Incident | None = None, **kwargs: Any) -> None:
        self.incident = incident
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        current = incident_values(self.incident) if self.incident else {}
        merged = {**current, **{name: value for name, value in cleaned.items() if name in self.fields}}
        for field, message in incident_rule_errors(merged, now=timezone.localtime()).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
            elif field not in self.fields:
                self.add_error(None, message)
        return cleaned

    def incident_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "submission_key"}


class QuickLogForm(IncidentFormBase):
    occurred_on = date_field()
    assaults = assaults_field()
    injury = injury_field()
    reported_to_force = reported_field()
    note = forms.CharField(
        label=gettext_lazy("Anything to add? (optional)"),
        help_text=gettext_lazy("One line. You can add the full story later. Don't name anyone."),
        max_length=QUICK_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    submission_key = submission_key_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The visible questions only: the one-time key is rendered by the template beside
        # them, so a blank form's HTML is the same for everyone on a day (see views.quick_log).
        self.helper.layout = Layout(*(name for name in self.fields if name != "submission_key"))

    def clean_submission_key(self) -> uuid.UUID:
        return clean_submission_key(self.cleaned_data.get("submission_key", ""))

    def incident_data(self) -> dict[str, Any]:
        data = super().incident_data()
        data["narrative"] = data.pop("note", "")
        return data


class IncidentStepForm(IncidentFormBase):
    """A page of the full report (STEPS), under its title."""

    title: ClassVar[StrOrPromise]


class WhenWhereForm(IncidentStepForm):
    title = gettext_lazy("When and where")
    occurred_on = date_field()
    occurred_at = forms.TimeField(
        label=gettext_lazy("What time? (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("Enter a time like 23:15.")},
    )
    setting = optional_choice(gettext_lazy("Where were you?"), Setting.choices)
    place = forms.CharField(
        label=gettext_lazy("Place (optional)"),
        help_text=gettext_lazy("A street or venue is enough. Don't name anyone."),
        max_length=PLACE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    submission_key = submission_key_field()

    def clean_submission_key(self) -> uuid.UUID:
        return clean_submission_key(self.cleaned_data.get("submission_key", ""))


class WhatHappenedForm(IncidentStepForm):
    title = gettext_lazy("What happened")
    assaults = assaults_field()
    injury = injury_field()
    days_off_work = number_field(
        gettext_lazy("Days off work because of it (optional)"), min_value=0, max_value=MAX_DAYS_OFF
    )
    other_officers_assaulted = number_field(
        gettext_lazy("Other officers assaulted at the same time"),
        min_value=0,
        max_value=MAX_OTHER_OFFICERS,
        help_text=gettext_lazy("They can each log their own report."),
    )

    def clean_other_officers_assaulted(self) -> int:
        return self.cleaned_data.get("other_officers_assaulted") or 0


class CircumstancesForm(IncidentStepForm):
    title = gettext_lazy("Circumstances")
    duty_type = optional_choice(gettext_lazy("What duty were you on?"), Duty.choices)
    single_crewed = yes_no_unsure(gettext_lazy("Were you single-crewed?"))
    during_arrest = yes_no_unsure(gettext_lazy("Did it happen during an arrest?"))
    backup_requested = yes_no_unsure(gettext_lazy("Did you request back-up?"))
    backup_wait = optional_choice(gettext_lazy("How long did back-up take?"), BackupWait.choices)
    body_worn_video = yes_no_unsure(gettext_lazy("Was body-worn video running?"))


class OffenderForm(IncidentStepForm):
    title = gettext_lazy("The offender")
    offender_count = number_field(gettext_lazy("How many offenders?"), min_value=1, max_value=MAX_OFFENDERS)
    offender_intoxicated = yes_no_unsure(gettext_lazy("Under the influence of alcohol or drugs?"))
    offender_mental_health = yes_no_unsure(gettext_lazy("In an apparent mental-health crisis?"))
    offender_under_18 = yes_no_unsure(gettext_lazy("Under 18?"))


class ReportingForm(IncidentStepForm):
    title = gettext_lazy("Reporting it")
    reported_to_force = reported_field()
    recorded_as_crime = optional_choice(
        gettext_lazy("Was it recorded as a crime?"),
        RecordedAsCrime.choices,
        help_text=gettext_lazy("By you or anyone else. If you don't know, say so: it still counts."),
    )
    crime_reference = forms.CharField(
        label=gettext_lazy("Crime reference (optional)"),
        max_length=CRIME_REFERENCE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    not_reported_reasons = forms.MultipleChoiceField(
        label=gettext_lazy("If you didn't report it, why not?"),
        choices=NotReportedReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("What has happened since?"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what has happened since, or 'No action yet'.")},
    )


class AccountForm(IncidentStepForm):
    title = gettext_lazy("In your words")
    narrative = forms.CharField(
        label=gettext_lazy("What happened, in your own words (optional)"),
        help_text=lazy_format(
            gettext_lazy("Up to %(limit)s characters. Don't name the offender or witnesses."),
            limit=f"{NARRATIVE_MAX_LENGTH:,}",
        ),
        max_length=NARRATIVE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    share_identity = forms.TypedChoiceField(
        label=gettext_lazy("Who may see that this report is yours?"),
        choices=[
            ("True", gettext_lazy("My federation reps may see my name, so they can support me")),
            ("False", gettext_lazy("Statistics only: reps see the report but not who I am")),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose who may see that this report is yours.")},
    )


class AnswerForm(CrispyMixin, forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write your answer.")},
    )


STEPS: tuple[type[IncidentStepForm], ...] = (
    WhenWhereForm,
    WhatHappenedForm,
    CircumstancesForm,
    OffenderForm,
    ReportingForm,
    AccountForm,
)


class ProfileFieldsMixin(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Your name"),
        help_text=gettext_lazy("How you'd like reps to address you."),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    collar_number = forms.CharField(
        label=gettext_lazy("Collar or warrant number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    usual_duty = forms.ChoiceField(
        label=gettext_lazy("Your usual duty"),
        choices=[("", gettext_lazy("Choose one")), *Duty.choices],
        error_messages={"required": gettext_lazy("Choose your usual duty.")},
    )
    service_band = forms.ChoiceField(
        label=gettext_lazy("Length of service"),
        choices=[("", gettext_lazy("Choose one")), *ServiceBand.choices],
        error_messages={"required": gettext_lazy("Choose your length of service.")},
    )


def force_email(email: str) -> str:
    """The address, if its domain is a police force's we know."""
    if force_domain_for_email(email) is None:
        domain = email.rpartition("@")[2]
        raise forms.ValidationError(
            _(
                "Use your force e-mail address. “%(domain)s” is not a police force domain we know. "
                "If it is your force's, ask your federation branch to add it."
            )
            % {"domain": domain}
        )
    return email


class OfficerSignupForm(ProfileFieldsMixin, SignupForm):
    field_order = ["email", "display_name", "collar_number", "usual_duty", "service_band", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Work e-mail address")
        # The example is a Welsh force's on a Welsh page.
        example = "enw@dyfed-powys.police.uk" if translation.get_language() == "cy" else "name@thamesvalley.police.uk"
        self.fields["email"].help_text = _("Your force address, for example %(address)s.") % {"address": example}

    def clean_email(self) -> str:
        return force_email(super().clean_email())

    def try_save(self, request: HttpRequest) -> Any:
        if self.account_already_exists:
            # A new account's answer costs hashing its password (most of its time, about a
            # quarter of a second); an address that already has one skipped it and answered at
            # once, which told whether it had. Doing the same work makes both take as long.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    @transaction.atomic
    def save(self, request: HttpRequest) -> Any:
        user = super().save(request)
        services.officer_register(
            user=user,
            display_name=self.cleaned_data["display_name"],
            collar_number=self.cleaned_data["collar_number"],
            usual_duty=self.cleaned_data["usual_duty"],
            service_band=self.cleaned_data["service_band"],
        )
        return user


class AccountLoginForm(LoginForm):
    """allauth's sign-in, in the app's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


class AccountResetPasswordForm(ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")


class OfficerAddEmailForm(AddEmailForm):
    """An officer's further addresses are force addresses too; staff may add any."""

    def clean_email(self) -> str:
        email = super().clean_email()
        return force_email(email) if officer_profile_for_user(self.user) is not None else email


class LanguageRadioSelect(forms.RadioSelect):
    """Each language's name in that language ("English", "Cymraeg"), marked with its lang so
    that a screen reader says it as it is written (templates/bootstrap5/layout/radio_checkbox_select.html)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["lang"] = translation.to_locale(str(option["value"])).replace("_", "-")
        return option


class ProfileForm(CrispyMixin, ProfileFieldsMixin):
    # Blank (not sent) leaves the account's language as it is.
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        help_text=gettext_lazy("The language of your pages and e-mails."),
        choices=settings.LANGUAGES,
        required=False,
        widget=LanguageRadioSelect,
    )

    @classmethod
    def for_profile(cls, profile: OfficerProfile, data: Any = None) -> ProfileForm:
        initial = {
            field: getattr(profile, field) for field in ("display_name", "collar_number", "usual_duty", "service_band")
        }
        initial["language"] = supported_language(profile.user.language) or supported_language(
            translation.get_language()
        )
        return cls(data=data, initial=initial)


class CloseAccountForm(CrispyMixin, forms.Form):
    """Closing an account cannot be undone: the officer confirms with their password."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Enter your password to close your account.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand my account and my name on my reports are erased for good"),
        error_messages={"required": gettext_lazy("Tick the box to confirm you want to close your account.")},
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
