"""Writes. Every change goes through a service here, in one transaction with its
audit event; follow-up work is dispatched only after commit."""

from __future__ import annotations

from incidents.services.filing import (
    SUBMISSION_KEY_TAKEN,
    IncidentNotEditable,
    account_language_set,
    incident_answer_question,
    incident_draft_start,
    incident_quick_log,
    incident_submit,
    incident_update,
    incident_withdraw,
    officer_profile_update,
    officer_register,
)
from incidents.services.notifications import (
    incident_event_notify_officer,
    incident_receipt_send,
    incident_reps_notify,
    notifications_resend_unsent,
    reps_waiting_digest_send,
)
from incidents.services.privacy import incident_anonymise, officer_account_close, retention_apply
from incidents.services.review import (
    BulkResult,
    incident_assign,
    incident_classify,
    incident_note_add,
    incident_review,
    incidents_bulk_assign_to_me,
    incidents_bulk_transition,
    staff_access_record,
    welfare_record,
)
from incidents.services.transitions import TransitionNotAllowed, incident_transition

__all__ = [
    "SUBMISSION_KEY_TAKEN",
    "account_language_set",
    "BulkResult",
    "IncidentNotEditable",
    "TransitionNotAllowed",
    "incident_answer_question",
    "incident_anonymise",
    "incident_assign",
    "incident_classify",
    "incident_draft_start",
    "incident_event_notify_officer",
    "incident_note_add",
    "incident_quick_log",
    "incident_receipt_send",
    "incident_reps_notify",
    "incident_review",
    "incident_submit",
    "incident_transition",
    "incident_update",
    "incident_withdraw",
    "incidents_bulk_assign_to_me",
    "incidents_bulk_transition",
    "notifications_resend_unsent",
    "officer_account_close",
    "officer_profile_update",
    "officer_register",
    "reps_waiting_digest_send",
    "retention_apply",
    "staff_access_record",
    "welfare_record",
]
