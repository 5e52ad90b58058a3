"""Every page an officer sees renders in Welsh and in English, and the Welsh page's main text has
no English left in it (docs/welsh.md). The language follows the account, the switcher and the
browser, in that order; the review admin stays English."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from config import translations
from config.views import too_many_attempts
from incidents import services
from incidents.choices import REPS_GROUP, Status
from incidents.models import Force, Incident, User
from reports.services import snapshots_recompute
from tests.conftest import make_staff, quick_post, staff_client
from tests.factories import IncidentFactory, OfficialFigureFactory, make_officer

pytestmark = pytest.mark.django_db

# Words of English that are not Welsh words: one of them in a Welsh page's main text is a string
# left untranslated (the officer's own text, and any text marked lang="en-GB", aside).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "your",
        "you",
        "with",
        "this",
        "that",
        "what",
        "which",
        "have",
        "has",
        "were",
        "when",
        "report",
        "reports",
        "from",
        "for",
        "are",
        "not",
        "was",
        "been",
        "will",
        "can",
        "should",
        "there",
        "their",
        "they",
        "about",
        "after",
        "before",
        "only",
        "because",
        "into",
    ]
)


class MainText(HTMLParser):
    """The text inside <main>, without scripts, styles and elements marked as another language."""

    VOID = frozenset(
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
    )

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.in_main = 0
        self.parts: list[str] = []

    def skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            self.handle_attributes(attrs)
            return
        values = dict(attrs)
        other_language = (values.get("lang") or "cy").lower().startswith("en")
        self.stack.append((tag, tag in ("script", "style", "template") or other_language))
        if tag == "main":
            self.in_main += 1
        self.handle_attributes(attrs)

    def handle_attributes(self, attrs: list[tuple[str, str | None]]) -> None:
        if self.in_main and not self.skipping():
            values = dict(attrs)
            for name in ("aria-label", "title", "placeholder", "alt"):
                if values.get(name):
                    self.parts.append(values[name] or "")
            if values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, _ = self.stack.pop()
            if name == "main":
                self.in_main -= 1
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skipping():
            self.parts.append(data)


def main_text(html: str) -> str:
    parser = MainText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def english_in(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z']+", re.sub(r"https?://\S+", " ", text))
    return sorted({word for word in words if word.lower() in ENGLISH_WORDS})


def english_sentences() -> list[str]:
    """The catalogue's English strings of four words or more whose Welsh differs."""
    catalogue = polib.pofile(str(translations.catalogue_path("cy")))
    texts = []
    for entry in catalogue:
        if entry.msgid_plural or entry.msgstr == entry.msgid or "%" in entry.msgid or "<" in entry.msgid:
            continue
        if len(entry.msgid.split()) >= 4:
            texts.append(entry.msgid)
    return texts


def assert_welsh(html: str, where: str) -> None:
    assert '<html lang="cy">' in html, f"{where}: not a Welsh page"
    text = main_text(html)
    assert text, f"{where}: no main text"
    left = english_in(text)
    assert not left, f"{where}: English words {left} in: {text[:600]}"
    sentences = [sentence for sentence in english_sentences() if sentence in text]
    assert not sentences, f"{where}: English strings left: {sentences}"


def signup_data(**fields: str) -> dict[str, str]:
    """A Dyfed-Powys officer's sign-up form, with ``fields`` changed."""
    return {
        "email": "eleri.jones@dyfed-powys.police.uk",
        "display_name": "Eleri Jones",
        "usual_duty": "response",
        "service_band": "5_10",
        "password1": "Llanbedr-pont-steffan-42",
        "password2": "Llanbedr-pont-steffan-42",
        **fields,
    }


def welsh_client(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="cy")
    if user is not None:
        User.objects.filter(pk=user.pk).update(language="cy")
        client.force_login(user)
    return client


@pytest.fixture
def welsh_officer(db: None) -> User:
    user = make_officer("dyfed-powys")
    User.objects.filter(pk=user.pk).update(language="cy")
    user.refresh_from_db()
    return user


@pytest.fixture
def figures(welsh_officer: User) -> None:
    for area, total in (("W15000004", 176), ("K04000001", 30977)):
        OfficialFigureFactory(area=area, financial_year=2018, total=total)
    day = datetime.date(2018, 10, 1)
    officers = [welsh_officer, *(make_officer("dyfed-powys") for _ in range(7))]
    for number in range(16):
        IncidentFactory(
            officer=officers[number % 8],
            occurred_on=day,
            reported_to_force="yes",
            recorded_as_crime=("yes", "no")[number % 2],
        )
    snapshots_recompute()


def officer_pages(officer: User) -> list[str]:
    draft = Incident.objects.filter(officer=officer, status=Status.DRAFT).first()
    sent = IncidentFactory(officer=officer, narrative="Poerodd arnaf.")
    pages = [
        reverse("home"),
        reverse("incidents:quick"),
        reverse("incidents:new"),
        reverse("incidents:list"),
        reverse("incidents:profile"),
        reverse("incidents:close"),
        reverse("incidents:detail", args=[sent.reference]),
        reverse("incidents:submitted", args=[sent.reference]),
        reverse("incidents:withdraw", args=[sent.reference]),
        reverse("reports:dashboard"),
        reverse("reports:method"),
        reverse("account_change_password"),
        reverse("account_email"),
        "/no-such-page/",
    ]
    if draft is not None:
        pages += [reverse("incidents:step", args=[draft.reference, step]) for step in range(1, 7)]
        pages.append(reverse("incidents:check", args=[draft.reference]))
    return pages


SIGNED_OUT_PAGES = [
    "home",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
    "reports:method",
    "offline",
]


@pytest.mark.parametrize("name", SIGNED_OUT_PAGES)
def test_signed_out_pages_in_welsh_and_english(client: Client, name: str) -> None:
    welsh = welsh_client().get(reverse(name))
    assert welsh.status_code == 200
    assert_welsh(welsh.content.decode(), name)
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB").get(reverse(name))
    assert english.status_code == 200
    assert '<html lang="en-GB">' in english.content.decode()
    assert main_text(english.content.decode()) != main_text(welsh.content.decode())


def test_every_officer_page_in_welsh_and_english(welsh_officer: User, figures: None) -> None:
    client = welsh_client(welsh_officer)
    # A draft, so that every step of the full report is a page to check.
    client.post(reverse("incidents:new"))
    for url in officer_pages(welsh_officer):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_welsh(response.content.decode(), url)
    User.objects.filter(pk=welsh_officer.pk).update(language="en-gb")
    for url in officer_pages(welsh_officer):
        html = client.get(url).content.decode()
        assert '<html lang="en-GB">' in html, url
        assert "Heddlu Dyfed-Powys" not in main_text(html), url


def test_a_welsh_forces_name_is_welsh_on_welsh_pages(welsh_officer: User) -> None:
    html = welsh_client(welsh_officer).get(reverse("incidents:profile")).content.decode()
    assert "Heddlu Dyfed-Powys" in html
    assert "Dyfed-Powys Police" not in main_text(html)


def test_form_errors_are_welsh(welsh_officer: User) -> None:
    client = welsh_client(welsh_officer)
    response = client.post(reverse("incidents:quick"), quick_post(occurred_on="", assaults=[], injury=""))
    assert response.status_code == 400
    assert_welsh(response.content.decode(), "quick log with errors")
    response = client.post(reverse("incidents:profile"), {"display_name": ""})
    assert_welsh(response.content.decode(), "profile with errors")


def test_the_quick_log_in_welsh_files_the_report_and_the_receipt_is_welsh(
    welsh_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = welsh_client(welsh_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:quick"), quick_post(note="Gwthio wrth y drws"), follow=True)
    assert response.status_code == 200
    assert_welsh(response.content.decode(), "after filing")
    incident = Incident.objects.get(officer=welsh_officer)
    assert incident.narrative == "Gwthio wrth y drws"
    receipt = mail.outbox[-1]
    assert incident.reference in receipt.subject
    assert not english_in(receipt.subject + " " + receipt.body), receipt.body


def test_the_officers_language_decides_their_emails_not_the_request(
    welsh_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    client.force_login(welsh_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:quick"), quick_post())
    assert not english_in(mail.outbox[-1].body)
    User.objects.filter(pk=welsh_officer.pk).update(language="en-gb")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:quick"), quick_post(assaults=["push"]))
    assert "Your report" in mail.outbox[-1].body


def test_browser_preference_decides_a_first_visit() -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE="cy-GB,cy;q=0.9,en;q=0.5").get(reverse("account_login")).content.decode()
    assert '<html lang="cy">' in html
    html = Client(HTTP_ACCEPT_LANGUAGE="fr").get(reverse("account_login")).content.decode()
    assert '<html lang="en-GB">' in html


def test_the_switcher_works_without_javascript_and_is_kept_on_the_account(welsh_officer: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="cy")
    html = client.get(reverse("account_login")).content.decode()
    assert 'value="en-gb" lang="en-GB"' in html and ">English</button>" in html
    response = client.post(reverse("set_language"), {"language": "en-gb", "next": reverse("account_login")})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en-GB">' in html and ">Cymraeg</button>" in html
    # Signed in, the choice is the account's: another browser (English) gets it too.
    client.force_login(welsh_officer)
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    welsh_officer.refresh_from_db()
    assert welsh_officer.language == "cy"
    other = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    other.force_login(welsh_officer)
    response = other.get(reverse("incidents:list"))
    assert '<html lang="cy">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_a_language_chosen_before_signing_in_becomes_the_accounts() -> None:
    officer = make_officer("gwent")
    officer.set_password("a-long-enough-password")
    officer.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    client.post(reverse("account_login"), {"login": officer.email, "password": "a-long-enough-password"})
    officer.refresh_from_db()
    assert officer.language == "cy"


def test_an_unknown_language_changes_nothing(welsh_officer: User) -> None:
    client = welsh_client(welsh_officer)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    welsh_officer.refresh_from_db()
    assert welsh_officer.language == "cy"
    assert client.get(reverse("set_language")).status_code == 405


def test_signup_offers_welsh_first_and_a_welsh_sign_up_keeps_welsh() -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE="en-GB").get(reverse("account_signup")).content.decode()
    main = html[html.index("<main") :]
    assert main.index('lang="cy"') < main.index('<form method="post" action="' + reverse("account_signup"))
    client = welsh_client()
    response = client.post(
        reverse("account_signup"),
        signup_data(collar_number="1234"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    officer = User.objects.get(email="eleri.jones@dyfed-powys.police.uk")
    assert officer.language == "cy"
    confirmation = mail.outbox[-1]
    assert not english_in(confirmation.subject + " " + confirmation.body), confirmation.body


def test_the_review_admin_stays_english_for_a_welsh_browser(rep: User) -> None:
    client = staff_client(rep)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    html = client.get(reverse("admin:incidents_incident_changelist")).content.decode()
    assert 'lang="en-gb"' in html.lower()[:400]


def test_the_429_page_in_welsh() -> None:
    request = RequestFactory().get("/accounts/login/")
    with translation.override("cy"):
        response: Any = too_many_attempts(request)
    assert response.status_code == 429
    assert_welsh(response.content.decode(), "429")


def test_welsh_dates_and_months(welsh_officer: User) -> None:
    IncidentFactory(officer=welsh_officer, occurred_on=datetime.date(2026, 3, 14), submitted_at=timezone.now())
    html = welsh_client(welsh_officer).get(reverse("incidents:list")).content.decode()
    assert "Mawrth" in html and "March" not in html


def test_the_profile_keeps_the_officers_language(welsh_officer: User) -> None:
    client = welsh_client(welsh_officer)
    form = client.get(reverse("incidents:profile")).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["language"] = "en-gb"
    response = client.post(reverse("incidents:profile"), data)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en-gb"
    welsh_officer.refresh_from_db()
    assert welsh_officer.language == "en-gb"
    html = client.get(reverse("incidents:profile")).content.decode()
    assert '<html lang="en-GB">' in html and "Your details are saved." in html


def test_csv_files_stay_english_from_a_welsh_page(rep: User, figures: None) -> None:
    client = staff_client(rep)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    dashboard = reverse("reports:dashboard")
    assert '<html lang="cy">' in client.get(dashboard).content.decode()
    for url in (f"{dashboard}?format=csv", reverse("reports:force", args=["dyfed-powys"]) + "?format=csv"):
        text = client.get(url).content.decode("utf-8-sig")
        header = text.splitlines()[0]
        assert "Logged" in header and "Cofnodwyd" not in text, url
        assert "An estimate from officers who chose to log" in text, url


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_chart_legend_keys_never_overlap(language: str) -> None:
    """Welsh legends run longer: the keys stand side by side, within the chart."""
    from reports import charts

    with translation.override(language):
        labels = [str(charts.SERIES[key][2]) for key in ("official", "implied")] + [translation.gettext("95% interval")]
        xs, font = charts.legend_layout(labels)
    ends = [x + charts.LEGEND_SWATCH + len(label) * font * charts.GLYPH_EM for x, label in zip(xs, labels, strict=True)]
    assert all(end <= following for end, following in zip(ends, xs[1:], strict=False)), (xs, ends)
    assert ends[-1] <= charts.WIDTH
    assert font >= 12


def test_a_form_whose_token_failed_gets_the_sites_page_in_welsh_and_nothing_is_saved(
    welsh_officer: User,
) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="cy")
    client.force_login(welsh_officer)
    # Cookies off: no token cookie at all.
    response = client.post(reverse("incidents:quick"), quick_post())
    assert response.status_code == 403
    html = response.content.decode()
    assert_welsh(html, "403 csrf, no cookie")
    assert "cwci" in html
    # A page opened before a sign-in elsewhere: the cookie is there, the form's token is stale.
    client.get(reverse("incidents:quick"))
    response = client.post(reverse("incidents:quick"), quick_post(csrfmiddlewaretoken="x" * 64))
    assert response.status_code == 403
    html = response.content.decode()
    assert_welsh(html, "403 csrf, stale token")
    assert "tab arall" in html and "cwci" not in main_text(html)
    assert not Incident.objects.filter(officer=welsh_officer).exists()
    english = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en-GB").post(reverse("account_login"), {})
    assert english.status_code == 403
    assert "This form could not be sent" in english.content.decode()


def test_the_password_checks_name_the_email_address_in_welsh() -> None:
    response = welsh_client().post(
        reverse("account_signup"),
        signup_data(password1="eleri.jones@dyfed-powys", password2="eleri.jones@dyfed-powys"),
    )
    assert response.status_code == 200
    assert "cyfeiriad e-bost" in response.content.decode()
    assert not User.objects.filter(email="eleri.jones@dyfed-powys.police.uk").exists()


def test_an_english_forces_name_on_a_welsh_page_is_marked_english(rep: User, figures: None) -> None:
    thames_valley = make_officer("thames-valley")
    client = welsh_client(thames_valley)
    home = client.get(reverse("home")).content.decode()
    assert '<span lang="en-GB">Thames Valley Police</span>' in home
    # The forces' table is a rep's (of Thames Valley, reading in Welsh).
    User.objects.filter(pk=rep.pk).update(language="cy")
    staff = staff_client(rep)
    dashboard = staff.get(reverse("reports:dashboard") + "?year=2018").content.decode()
    assert '<html lang="cy">' in dashboard
    assert re.search(r'<a href="[^"]*/thames-valley/[^"]*" lang="en-GB">Thames Valley</a>', dashboard)
    assert re.search(r'<a href="[^"]*/dyfed-powys/[^"]*">Dyfed-Powys</a>', dashboard)
    force_page = staff.get(reverse("reports:force", args=["thames-valley"])).content.decode()
    assert '<h1 class="h2"><span lang="en-GB">Thames Valley Police</span></h1>' in force_page
    # A Welsh force's Welsh name is the page's language; on an English page nothing is marked.
    welsh_force = welsh_client(make_officer("dyfed-powys")).get(reverse("home")).content.decode()
    assert "Heddlu Dyfed-Powys" in welsh_force and 'lang="en-GB">Heddlu' not in welsh_force
    User.objects.filter(pk=thames_valley.pk).update(language="en-gb")
    assert '<span lang="en-GB">' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("language", ["cy", "en-GB"])
def test_a_refused_sign_in_says_so_once_and_in_the_title(language: str) -> None:
    officer = make_officer("gwent")
    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(
        reverse("account_login"), {"login": officer.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = escape(str(response.context["form"].non_field_errors()[0]))
    assert html.count(message) == 1, message
    with translation.override(language):
        assert re.search(r"<title>\s*" + re.escape(translation.gettext("Error:")), html)


def test_an_account_emails_links_open_in_its_language_on_another_browser(welsh_officer: User) -> None:
    welsh_client().post(
        reverse("account_signup"),
        signup_data(email="gwyn.evans@dyfed-powys.police.uk", display_name="Gwyn Evans"),
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body)
    assert link and link.group(0).endswith("?lang=cy"), mail.outbox[-1].body
    desk = Client(HTTP_ACCEPT_LANGUAGE="en-GB")  # the work computer, an English browser
    response = desk.get(link.group(0))
    assert response.status_code == 200
    assert_welsh(response.content.decode(), "e-mail confirmation from another browser")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    # A reset asked for from an English browser: the e-mail and its page are the account's Welsh.
    Client(HTTP_ACCEPT_LANGUAGE="en-GB").post(reverse("account_reset_password"), {"email": welsh_officer.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    assert link and "lang=cy" in link.group(0), mail.outbox[-1].body
    page = Client(HTTP_ACCEPT_LANGUAGE="en-GB").get(link.group(0), follow=True)
    assert '<html lang="cy">' in page.content.decode()
    # An unknown language is ignored; a signed-in account's own language wins over the link.
    assert '<html lang="en-GB">' in desk.get(reverse("account_login") + "?lang=fr", HTTP_COOKIE="").content.decode()
    english = make_officer("gwent")
    User.objects.filter(pk=english.pk).update(language="en-gb")
    signed_in = Client()
    signed_in.force_login(english)
    assert '<html lang="en-GB">' in signed_in.get(reverse("incidents:list") + "?lang=cy").content.decode()


def test_the_status_change_email_is_in_the_officers_welsh(
    welsh_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    incident = IncidentFactory(officer=welsh_officer)
    rep = make_staff(REPS_GROUP, Force.objects.get(slug="dyfed-powys"))
    with translation.override("en-gb"), django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=incident, actor=rep, to=Status.IN_REVIEW)
    update = mail.outbox[-1]
    assert incident.reference in update.subject
    assert not english_in(update.subject + " " + update.body), update.body
