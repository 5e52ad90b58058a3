from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.choices import EventKind, Injury, Status
from incidents.models import Incident, IncidentAssault, User
from tests.conftest import quick_post
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def incident_urls(reference: str) -> list[str]:
    return [
        reverse("incidents:detail", args=[reference]),
        reverse("incidents:submitted", args=[reference]),
        reverse("incidents:step", args=[reference, 1]),
        reverse("incidents:step", args=[reference, 6]),
        reverse("incidents:check", args=[reference]),
        reverse("incidents:withdraw", args=[reference]),
    ]


OFFICER_URLS = ["incidents:quick", "incidents:new", "incidents:list", "incidents:profile"]


@pytest.mark.parametrize("name", OFFICER_URLS)
def test_officer_pages_require_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", OFFICER_URLS)
def test_staff_are_told_officer_pages_are_for_officers(rep: User, name: str) -> None:
    response = client_for(rep).get(reverse(name))
    assert response.status_code == 403
    assert b"This page is for officers filing reports" in response.content


def test_another_officers_report_is_unreachable_through_every_url(
    officer: User, colleague: User, other_force_officer: User, rep: User
) -> None:
    incident = IncidentFactory(officer=officer)
    for intruder in (colleague, other_force_officer):
        client = client_for(intruder)
        for url in incident_urls(incident.reference):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"injury": Injury.SERIOUS}).status_code == 404, url
    # Staff review arrives with its own access rules; until then staff cannot reach reports either.
    for url in incident_urls(incident.reference):
        assert client_for(rep).get(url).status_code in (403, 404), url
    anonymous = Client()
    for url in incident_urls(incident.reference):
        assert anonymous.get(url).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED
    assert incident.injury == Injury.NONE


def test_unknown_reference_is_404_like_someone_elses(officer_client: Client) -> None:
    assert officer_client.get(reverse("incidents:detail", args=["AL-2026-NOSUCH"])).status_code == 404


def test_quick_log_page_defaults_to_today_and_asks_few_questions(officer_client: Client) -> None:
    response = officer_client.get(reverse("incidents:quick"))
    assert response.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()
    form = response.context["form"]
    required = [name for name, field in form.fields.items() if field.required and not field.widget.is_hidden]
    assert len(required) <= 6
    assert set(required) == {"occurred_on", "assaults", "injury", "reported_to_force"}


def test_quick_log_files_the_report_and_shows_its_reference(officer: User, officer_client: Client) -> None:
    response = officer_client.post(reverse("incidents:quick"), quick_post(note="Spat at in custody"))
    incident = Incident.objects.get(officer=officer)
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:submitted", args=[incident.reference])
    page = officer_client.get(response["Location"])
    assert incident.reference in page.content.decode()
    assert reverse("incidents:step", args=[incident.reference, 1]) in page.content.decode()
    assert incident.narrative == "Spat at in custody"
    assert incident.status == Status.SUBMITTED


def test_double_submit_of_the_quick_log_files_one_report(officer: User, officer_client: Client) -> None:
    data = quick_post()
    first = officer_client.post(reverse("incidents:quick"), data)
    second = officer_client.post(reverse("incidents:quick"), data)
    assert Incident.objects.filter(officer=officer).count() == 1
    assert first["Location"] == second["Location"]


def test_the_same_answers_again_within_15_minutes_ask_before_a_second_report(
    officer: User, officer_client: Client
) -> None:
    """Back after "Log it", then "Log it" again: the page came back with a new one-time key."""
    first = officer_client.post(reverse("incidents:quick"), quick_post(note="Spat at"))
    earlier = Incident.objects.get(officer=officer)
    again = quick_post(note="Spat at")
    asked = officer_client.post(reverse("incidents:quick"), again)
    assert asked.status_code == 409
    assert asked["X-Same-As"] == earlier.reference
    page = asked.content.decode()
    assert "Is this the same assault?" in page and earlier.reference in page
    assert f'href="{reverse("incidents:detail", args=[earlier.reference])}"' in page
    assert Incident.objects.filter(officer=officer).count() == 1
    # "Log another" sends the same answers and the same key, marked as another: two reports.
    resent = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert resent["submission_key"] == again["submission_key"] and resent["note"] == "Spat at"
    another = officer_client.post(reverse("incidents:quick"), {**again, "another": "1"})
    assert another.status_code == 302 and another["Location"] != first["Location"]
    assert Incident.objects.filter(officer=officer).count() == 2
    # Sent again (a double tap on "Log another"): still two.
    assert officer_client.post(reverse("incidents:quick"), {**again, "another": "1"})["Location"] == another["Location"]
    assert Incident.objects.filter(officer=officer).count() == 2


def test_only_the_same_answers_from_the_same_officer_in_15_minutes_are_questioned(
    officer: User, colleague: User, officer_client: Client
) -> None:
    officer_client.post(reverse("incidents:quick"), quick_post())
    # Different answers: filed at once.
    assert officer_client.post(reverse("incidents:quick"), quick_post(injury=Injury.MINOR)).status_code == 302
    # A colleague at the same incident: filed at once.
    assert client_for(colleague).post(reverse("incidents:quick"), quick_post()).status_code == 302
    # Older than 15 minutes: filed at once.
    Incident.objects.filter(officer=officer).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    assert officer_client.post(reverse("incidents:quick"), quick_post()).status_code == 302
    # A withdrawn report is not a reason to ask.
    Incident.objects.filter(officer=officer).update(status=Status.WITHDRAWN)
    assert officer_client.post(reverse("incidents:quick"), quick_post()).status_code == 302
    assert Incident.objects.filter(officer=officer).count() == 4


def test_the_look_back_compares_the_note_and_costs_the_same_however_many_reports_are_alike(
    officer: User, officer_client: Client
) -> None:
    officer_client.post(reverse("incidents:quick"), quick_post(note="Spat at in the van"))
    # The same answers but another note: another assault, filed at once.
    assert officer_client.post(reverse("incidents:quick"), quick_post(note="Spat at in custody")).status_code == 302

    def asked() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                officer_client.post(reverse("incidents:quick"), quick_post(note="Spat at in custody")).status_code
                == 409
            )
        return len(captured)

    few = asked()
    for _ in range(25):
        officer_client.post(reverse("incidents:quick"), quick_post(note="Spat at in custody", another="1"))
    assert asked() == few


def test_a_one_time_key_sent_again_gets_its_own_report_not_the_question(officer: User, officer_client: Client) -> None:
    """Log it, Log another (same answers), then the second send is retried after a lost answer:
    the retry is a repeat of the second report, not a third with the same answers."""
    officer_client.post(reverse("incidents:quick"), quick_post())
    second = quick_post(another="1")
    made = officer_client.post(reverse("incidents:quick"), second)
    retried = officer_client.post(reverse("incidents:quick"), {**second, "another": ""})
    assert retried.status_code == 302 and retried["Location"] == made["Location"]
    assert Incident.objects.filter(officer=officer).count() == 2


def test_a_quick_log_and_a_full_report_are_not_taken_for_each_other(officer: User, officer_client: Client) -> None:
    """Step 1 of a full report asks about drafts only, a quick log about reports filed only."""
    today = timezone.localdate().isoformat()
    officer_client.post(reverse("incidents:quick"), quick_post())
    # Step 1 with only the date: a quick log's time, setting and place are as blank.
    step_one = {
        "occurred_on": today,
        "occurred_at": "",
        "setting": "",
        "place": "",
        "submission_key": str(uuid.uuid4()),
    }
    assert officer_client.post(reverse("incidents:new"), step_one).status_code == 302
    # A draft saying what the quick log says does not stop the next quick log.
    draft = Incident.objects.get(officer=officer, status=Status.DRAFT)
    Incident.objects.filter(officer=officer, status=Status.SUBMITTED).delete()
    Incident.objects.filter(pk=draft.pk).update(injury=Injury.NONE, reported_to_force="no")
    IncidentAssault.objects.create(incident=draft, kind="spit")
    assert officer_client.post(reverse("incidents:quick"), quick_post()).status_code == 302
    assert Incident.objects.filter(officer=officer).count() == 2


def test_home_lists_a_question_before_many_drafts(officer: User, officer_client: Client) -> None:
    asked = IncidentFactory(officer=officer, status=Status.NEEDS_INFO)
    IncidentFactory.create_batch(11, officer=officer, status=Status.DRAFT)
    assert reverse("incidents:detail", args=[asked.reference]) in officer_client.get("/").content.decode()


def test_starting_the_same_full_report_again_offers_the_one_already_started(
    officer: User, officer_client: Client
) -> None:
    step_one = {
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "occurred_at": "23:15",
        "setting": "custody_suite",
        "place": "Cell 4",
    }
    first = officer_client.post(reverse("incidents:new"), {**step_one, "submission_key": str(uuid.uuid4())})
    draft = Incident.objects.get(officer=officer)
    assert first["Location"] == reverse("incidents:step", args=[draft.reference, 2])
    asked = officer_client.post(reverse("incidents:new"), {**step_one, "submission_key": str(uuid.uuid4())})
    assert asked.status_code == 409
    page = asked.content.decode()
    assert "Did you mean to start a second report?" in page
    assert f'href="{reverse("incidents:step", args=[draft.reference, 2])}"' in page
    assert Incident.objects.filter(officer=officer).count() == 1
    another = officer_client.post(
        reverse("incidents:new"), {**step_one, "submission_key": str(uuid.uuid4()), "another": "1"}
    )
    assert another.status_code == 302
    assert Incident.objects.filter(officer=officer, status=Status.DRAFT).count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, "can't be in the future"),
        ({"occurred_on": "2009-12-31"}, "from 1 January 2010"),
        ({"occurred_on": "31/02/2026"}, "Enter a real date"),
        ({"assaults": []}, "Choose at least one thing"),
        ({"assaults": ["karate"]}, "Select a valid choice"),
        ({"injury": "broken"}, "Select a valid choice"),
        ({"note": "x" * 201}, "at most 200 characters"),
        ({"note": "null\x00byte"}, "Null characters are not allowed"),
    ],
)
def test_quick_log_bad_input_gets_a_clear_message_and_saves_nothing(
    officer_client: Client, overrides: dict[str, Any], message: str
) -> None:
    response = officer_client.post(reverse("incidents:quick"), quick_post(**overrides))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content.replace("&#x27;", "'")
    assert Incident.objects.count() == 0


def test_error_summary_links_to_each_field(officer_client: Client) -> None:
    response = officer_client.post(reverse("incidents:quick"), {})
    content = response.content.decode()
    for anchor in ("id_occurred_on", "id_assaults_0", "id_injury_0", "id_reported_to_force_0"):
        assert f'href="#{anchor}"' in content
        assert f'id="{anchor}"' in content


def test_full_report_saves_a_draft_at_each_step_and_submits(officer: User, officer_client: Client) -> None:
    today = timezone.localdate().isoformat()
    response = officer_client.post(
        reverse("incidents:new"),
        {
            "occurred_on": today,
            "occurred_at": "",
            "setting": "custody_suite",
            "place": "",
            "submission_key": str(uuid.uuid4()),
        },
    )
    incident = Incident.objects.get(officer=officer)
    assert incident.status == Status.DRAFT
    assert response["Location"] == reverse("incidents:step", args=[incident.reference, 2])

    steps = {
        2: {
            "assaults": ["punch", "bite"],
            "injury": Injury.MEDICAL,
            "days_off_work": "2",
            "other_officers_assaulted": "1",
        },
        3: {"duty_type": "custody", "single_crewed": "no", "during_arrest": "yes", "backup_requested": "unsure"},
        4: {"offender_count": "1", "offender_intoxicated": "yes"},
        5: {
            "reported_to_force": "yes",
            "recorded_as_crime": "yes",
            "crime_reference": "43/777/26",
            "outcome": "charged",
        },
        6: {"narrative": "Bitten on the forearm while searching a detainee.", "share_identity": "False"},
    }
    for step, data in steps.items():
        response = officer_client.post(reverse("incidents:step", args=[incident.reference, step]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("incidents:check", args=[incident.reference])

    check = officer_client.get(response["Location"])
    assert "Bitten on the forearm" in check.content.decode()
    response = officer_client.post(reverse("incidents:check", args=[incident.reference]))
    assert response["Location"] == reverse("incidents:submitted", args=[incident.reference])

    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED
    assert (incident.injury, incident.days_off_work, incident.single_crewed, incident.during_arrest) == (
        Injury.MEDICAL,
        2,
        "no",
        "yes",
    )
    # "Not sure" is an answer of its own, not a blank; a question left alone stays blank.
    assert (incident.backup_requested, incident.body_worn_video) == ("unsure", "")
    assert incident.crime_reference == "43/777/26"
    assert incident.share_identity is False


def test_a_step_revisited_shows_what_was_saved(officer: User, officer_client: Client) -> None:
    incident = IncidentFactory(officer=officer, single_crewed="yes", during_arrest="unsure", assaults=["spit", "kick"])
    content = officer_client.get(reverse("incidents:step", args=[incident.reference, 3])).content.decode()
    assert re.search(r'name="single_crewed" value="yes"[^>]*checked', content)
    assert re.search(r'name="during_arrest" value="unsure"[^>]*checked', content)
    assert not re.search(r'name="body_worn_video" value="[a-z]+"[^>]*checked', content)
    summary = officer_client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert re.search(r"<dt>During an arrest</dt><dd>Not sure</dd>", summary)
    assert re.search(r"<dt>Body-worn video running</dt><dd>Not given</dd>", summary)
    content = officer_client.get(reverse("incidents:step", args=[incident.reference, 2])).content.decode()
    assert re.search(r'value="spit"[^>]*checked', content)
    assert re.search(r'value="kick"[^>]*checked', content)


def test_adding_detail_to_a_submitted_report_keeps_it_submitted_and_audited(
    officer: User, officer_client: Client
) -> None:
    incident = IncidentFactory(officer=officer)
    response = officer_client.post(
        reverse("incidents:step", args=[incident.reference, 4]), {"offender_count": "2", "save_and_exit": "1"}
    )
    assert response["Location"] == reverse("incidents:detail", args=[incident.reference])
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED
    assert incident.offender_count == 2
    assert incident.events.get(kind=EventKind.UPDATED).changes == {"offender_count": [None, 2]}
    detail = officer_client.get(response["Location"]).content.decode()
    assert "Changed: offender count" in detail


def test_crime_reference_on_an_unreported_assault_is_refused_on_its_step(officer: User, officer_client: Client) -> None:
    incident = IncidentFactory(officer=officer)
    response = officer_client.post(
        reverse("incidents:step", args=[incident.reference, 5]),
        {"reported_to_force": "no", "crime_reference": "43/1/26", "outcome": "no_action_yet"},
    )
    assert response.status_code == 400
    assert "A crime reference only goes with an assault you reported" in response.content.decode()
    incident.refresh_from_db()
    assert incident.crime_reference == ""


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        (2, {"assaults": ["push"], "injury": "none", "days_off_work": "366"}, "Enter a number from 0 to 365"),
        (2, {"assaults": ["push"], "injury": "none", "days_off_work": "-1"}, "Enter a number from 0 to 365"),
        (2, {"assaults": ["push"], "injury": "none", "days_off_work": "lots"}, "Enter a whole number"),
        (4, {"offender_count": "0"}, "Enter a number from 1 to 50"),
        (6, {"narrative": "x" * 5001, "share_identity": "True"}, "at most 5000 characters"),
        (1, {"occurred_on": "2026-13-01"}, "Enter a real date"),
        (1, {"occurred_on": "2025-01-01", "occurred_at": "25:00"}, "Enter a time like 23:15"),
    ],
)
def test_step_bad_input_is_refused_and_changes_nothing(
    officer: User, officer_client: Client, step: int, data: dict[str, str], message: str
) -> None:
    incident = IncidentFactory(officer=officer)
    before = Incident.objects.filter(pk=incident.pk).values().get()
    response = officer_client.post(reverse("incidents:step", args=[incident.reference, step]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Incident.objects.filter(pk=incident.pk).values().get() == before


def test_submitting_an_incomplete_draft_says_what_is_missing(officer: User, officer_client: Client) -> None:
    draft = IncidentFactory(
        officer=officer, status=Status.DRAFT, injury="", reported_to_force="", recorded_as_crime="", assaults=[]
    )
    response = officer_client.post(reverse("incidents:check", args=[draft.reference]))
    assert response.status_code == 400
    assert "Choose at least one thing that happened" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_my_reports_lists_only_mine_newest_first(
    officer: User, colleague: User, officer_client: Client, django_assert_max_num_queries: Any
) -> None:
    older = IncidentFactory(officer=officer)
    newer = IncidentFactory(officer=officer)
    theirs = IncidentFactory(officer=colleague)
    content = officer_client.get(reverse("incidents:list")).content.decode()
    assert content.index(newer.reference) < content.index(older.reference)
    assert theirs.reference not in content


def test_my_reports_query_count_does_not_grow_with_reports(
    officer: User, officer_client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(25):
        IncidentFactory(officer=officer, assaults=["push", "spit"])
    with django_assert_max_num_queries(8):
        response = officer_client.get(reverse("incidents:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20
    assert officer_client.get(reverse("incidents:list") + "?page=2").status_code == 200
    assert officer_client.get(reverse("incidents:list") + "?page=banana").status_code == 200


def test_report_page_shows_the_answers_and_history(officer: User, officer_client: Client) -> None:
    incident = IncidentFactory(officer=officer, assaults=["spit"], place="High Street")
    content = officer_client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert "Spit or bodily fluid" in content
    assert "High Street" in content
    assert "Withdraw this report" in content


def test_withdraw_asks_first_then_withdraws(officer: User, officer_client: Client) -> None:
    incident = IncidentFactory(officer=officer)
    url = reverse("incidents:withdraw", args=[incident.reference])
    assert "Yes, withdraw it" in officer_client.get(url).content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED
    officer_client.post(url)
    incident.refresh_from_db()
    assert incident.status == Status.WITHDRAWN
    # Once withdrawn, nothing can change it.
    response = officer_client.post(reverse("incidents:step", args=[incident.reference, 2]), {"injury": "serious"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.injury == Injury.NONE


def test_profile_can_be_updated(officer: User, officer_client: Client) -> None:
    response = officer_client.post(
        reverse("incidents:profile"),
        {
            "display_name": "DC Priya Shah",
            "collar_number": "4471",
            "usual_duty": "investigation",
            "service_band": "10_20",
        },
    )
    assert response.status_code == 302
    officer.officer_profile.refresh_from_db()
    assert officer.officer_profile.display_name == "DC Priya Shah"
    assert officer.officer_profile.usual_duty == "investigation"


def test_home_page_for_anonymous_officer_and_staff(officer_client: Client, rep: User) -> None:
    assert b"Sign up with your force e-mail" in Client().get("/").content
    assert b"Log an assault quickly" in officer_client.get("/").content
    assert b"federation staff" in client_for(rep).get("/").content


def test_home_page_lists_a_question_to_answer_and_a_draft_to_finish(officer: User, officer_client: Client) -> None:
    asked = IncidentFactory(officer=officer, status=Status.NEEDS_INFO)
    draft = IncidentFactory(officer=officer, status=Status.DRAFT)
    done = IncidentFactory(officer=officer, status=Status.SUBMITTED)
    IncidentFactory(status=Status.DRAFT)  # another officer's
    page = officer_client.get("/").content.decode()
    waiting = page[page.index("Waiting for you") : page.index("Your latest reports")]
    assert "Your federation rep has a question" in waiting
    assert reverse("incidents:detail", args=[asked.reference]) in waiting
    assert "Draft to finish" in waiting
    assert reverse("incidents:step", args=[draft.reference, 1]) in waiting
    assert waiting.index(asked.reference) < waiting.index(draft.reference)  # the question first
    assert done.reference not in waiting
    assert waiting.count("<li>") == 2


def test_the_blank_quick_log_kept_in_memory_is_what_crispy_renders_with_a_fresh_key_each_time(
    officer_client: Client, settings: Any
) -> None:
    tokens = re.compile(r'name="(csrfmiddlewaretoken|submission_key)" value="([^"]+)"')

    def page() -> tuple[str, dict[str, str]]:
        html = officer_client.get(reverse("incidents:quick")).content.decode()
        return tokens.sub(r'name="\1" value=""', html), dict(tokens.findall(html))

    settings.DEBUG = True  # rendered by crispy on every request
    rendered, _ = page()
    settings.DEBUG = False  # rendered once, then served from memory
    first, first_keys = page()
    second, second_keys = page()
    assert rendered == first == second
    assert rendered.count('name="submission_key"') == 1
    assert first_keys["submission_key"] != second_keys["submission_key"]
    # A form with errors is rendered in full, errors and all.
    posted = officer_client.post(reverse("incidents:quick"), {"submission_key": first_keys["submission_key"]})
    assert posted.status_code == 400
    assert "Enter the date it happened." in posted.content.decode()
    assert f'value="{first_keys["submission_key"]}"' in posted.content.decode()
