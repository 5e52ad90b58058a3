"""E-mails. Each carries a reference and a link only: never the narrative, the
injuries or anyone's name. Each is claimed in the database before it is sent,
so a re-delivered task sends nothing; a failed send releases its claim."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.choices import SERIOUS_INJURIES, EventKind
from incidents.models import DigestSent, Incident, IncidentEvent, User
from incidents.selectors import SENT, incident_waiting_for_rep, incident_was_sent, reps_of_force

logger = logging.getLogger(__name__)

WAITING_DAYS = 7
DIGEST_MAX_REFERENCES = 50
RESEND_WITHIN = datetime.timedelta(days=3)
RESEND_AFTER = datetime.timedelta(minutes=5)


def _officer_link(incident: Incident) -> str:
    return str(settings.SITE_URL) + reverse("incidents:detail", args=[incident.reference])


def _admin_link(incident: Incident) -> str:
    return str(settings.SITE_URL) + reverse("admin:incidents_incident_change", args=[incident.pk])


def _officer_language(officer: User) -> str:
    """The language of an officer's e-mails: their account's, else the site's (English).
    Workers run without an active language, so the e-mail is built under this one."""
    return officer.language or settings.LANGUAGE_CODE


def _send_claimed(claim: QuerySet[Incident] | QuerySet[IncidentEvent], field: str, send: Callable[[], None]) -> bool:
    """Claim the row (``field`` still empty), send, and release the claim if sending fails."""
    now = timezone.now()
    if not claim.filter(**{f"{field}__isnull": True}).update(**{field: now}):
        return False
    try:
        send()
    except Exception:
        claim.filter(**{field: now}).update(**{field: None})
        raise
    return True


def incident_receipt_send(*, incident_id: int) -> bool:
    """Tell the officer their report arrived."""
    incident = Incident.objects.select_related("officer").get(pk=incident_id)
    officer = incident.officer
    if not incident_was_sent(incident) or officer is None:
        return False

    def send() -> None:
        with translation.override(_officer_language(officer)):
            subject = _("Report %(reference)s received") % {"reference": incident.reference}
            message = (
                _(
                    "Your report %(reference)s has reached Assault Log.\n\n"
                    "You can add detail, follow it or withdraw it here:\n%(link)s\n\n"
                    "This e-mail holds the reference only; the report itself stays in Assault Log."
                )
                % {"reference": incident.reference, "link": _officer_link(incident)}
                + "\n"
            )
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[officer.email])

    sent = _send_claimed(Incident.objects.filter(pk=incident_id), "receipt_sent_at", send)
    if sent:
        logger.info("incident receipt sent id=%s", incident_id)
    return sent


def incident_reps_notify(*, incident_id: int) -> bool:
    """Tell the force's reps a report with a serious injury has come in."""
    incident = Incident.objects.get(pk=incident_id)
    recipients = sorted(rep.email for rep in reps_of_force(incident.force_id))
    if not recipients or not incident_was_sent(incident):
        return False

    def send() -> None:
        # Reps' e-mails are in English, as the review admin is.
        with translation.override(settings.LANGUAGE_CODE):
            send_mail(
                subject=f"New report {incident.reference} needs a rep",
                message=(
                    f"Report {incident.reference} has been filed in your force and needs a rep's attention.\n\n"
                    f"Open it here:\n{_admin_link(incident)}\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )

    sent = _send_claimed(Incident.objects.filter(pk=incident_id), "reps_notified_at", send)
    if sent:
        logger.info("incident reps notified id=%s count=%s", incident_id, len(recipients))
    return sent


def incident_event_notify_officer(*, event_id: int) -> bool:
    """Tell the officer something happened to their report (a status change or a question)."""
    event = IncidentEvent.objects.select_related("incident__officer").get(pk=event_id)
    incident = event.incident
    officer = incident.officer
    if officer is None:  # anonymised: there is no one to tell
        return False

    def send() -> None:
        with translation.override(_officer_language(officer)):
            subject = _("Update on your report %(reference)s") % {"reference": incident.reference}
            message = (
                _("There is an update on your report %(reference)s.\n\nSee it here:\n%(link)s")
                % {"reference": incident.reference, "link": _officer_link(incident)}
                + "\n"
            )
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[officer.email])

    sent = _send_claimed(IncidentEvent.objects.filter(pk=event_id), "notified_at", send)
    if sent:
        logger.info("officer notified event=%s", event_id)
    return sent


def reps_waiting_digest_send(*, today: datetime.date | None = None) -> int:
    """E-mail each rep the references of their forces' reports waiting over a week. Once a day."""
    today = today or timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=WAITING_DAYS)
    sent = 0
    for rep in User.objects.filter(rep_forces__isnull=False, is_active=True).distinct().order_by("pk"):
        waiting = list(incident_waiting_for_rep(rep, submitted_before=since).values_list("reference", flat=True))
        if not waiting:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(rep=rep, day=today)
                _send_digest(rep, waiting)
        except IntegrityError:
            continue  # already sent today
        except Exception:
            # One rep's bad address or a mail server hiccup must not cost every other rep
            # their digest. The claim rolled back with the failure, so the next run (hourly
            # through the working day) tries this rep again.
            logger.exception("waiting digest failed rep=%s", rep.pk)
            continue
        sent += 1
    logger.info("waiting digest sent reps=%s", sent)
    return sent


def notifications_resend_unsent(*, now: datetime.datetime | None = None) -> int:
    """Send what was never sent: a dispatch lost while the broker was down, or a task that
    ran out of retries while the mail server was. Each send claims its row, so one already
    under way (or done) is not repeated. Looks back RESEND_WITHIN only, and leaves the
    newest RESEND_AFTER to the ordinary dispatch."""
    now = now or timezone.now()
    window = (now - RESEND_WITHIN, now - RESEND_AFTER)
    work: list[tuple[Callable[..., bool], dict[str, int]]] = []
    receipts = Incident.objects.filter(receipt_sent_at__isnull=True, submitted_at__range=window, officer__isnull=False)
    work += [(incident_receipt_send, {"incident_id": pk}) for pk in receipts.values_list("pk", flat=True)]
    serious = Incident.objects.filter(
        SENT, reps_notified_at__isnull=True, injury__in=SERIOUS_INJURIES, submitted_at__range=window
    )
    work += [(incident_reps_notify, {"incident_id": pk}) for pk in serious.values_list("pk", flat=True)]
    events = IncidentEvent.objects.filter(
        notified_at__isnull=True, kind=EventKind.STATUS_CHANGED, created_at__range=window
    ).exclude(actor_id=F("incident__officer_id"))
    work += [(incident_event_notify_officer, {"event_id": pk}) for pk in events.values_list("pk", flat=True)]
    sent = 0
    for send, ids in work:
        try:
            sent += bool(send(**ids))
        except Exception:
            logger.exception("resend failed %s", " ".join(f"{key}={value}" for key, value in ids.items()))
    if work:
        logger.info("unsent notifications found=%s sent=%s", len(work), sent)
    return sent


def _send_digest(rep: User, references: list[str]) -> None:
    shown = references[:DIGEST_MAX_REFERENCES]
    more = len(references) - len(shown)
    # Reps' e-mails are in English, as the review admin is.
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.SITE_URL + reverse("admin:incidents_incident_changelist") + "?waiting=over_7_days"
        send_mail(
            subject=f"{len(references)} reports waiting more than {WAITING_DAYS} days",
            message=(
                f"These reports in your force have waited more than {WAITING_DAYS} days for review:\n\n"
                + "\n".join(shown)
                + (f"\n…and {more} more" if more else "")
                + f"\n\nThe review queue:\n{link}\n"
            ),
            from_email=None,
            recipient_list=[rep.email],
        )
