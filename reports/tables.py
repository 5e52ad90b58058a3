"""What a viewer may see of the snapshots: text for pages and prints, values for CSV files.

Outside national staff's own views (and on anything printed, whoever prints it) no count below
5 is shown, nor a share whose numerator, denominator or their difference is below 5; and where
a breakdown whose cells add up to a published total has a hidden cell, more cells are hidden
until what is hidden adds up to at least 5, so no hidden cell can be worked out by subtraction.
Every figure says what it is: an estimate from officers who chose to log, not a count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from incidents.choices import AssaultKind, Duty, Injury, NotReportedReason, Setting
from incidents.models import Force
from incidents.selectors import officer_profile_for_user, staff_force_ids, staff_is_national
from reports.choices import FigureBasis, SourceKind
from reports.models import NATIONAL, Snapshot
from reports.periods import financial_year_label
from reports.selectors import coverage_words, not_compared_words, source_words

SUPPRESS_BELOW = 5
# Text for pages (and, in English, for CSV files): lazy, so each is in the language of the page
# or file being made; the functions below give them as str.
FEWER_THAN_5 = gettext_lazy("fewer than 5")
HIDDEN = gettext_lazy("hidden")  # a cell hidden so that a small one beside it cannot be worked out
SHARE_HIDDEN = gettext_lazy("hidden: built on a count under 5")
# The caveats are for CSV files only, which stay in English (stable for people's scripts).
CAVEAT = (
    "An estimate from officers who chose to log assaults in Assault Log, not a count. The interval covers "
    "sampling error only; who chooses to log is not random. Counts and shares built on fewer than 5 are hidden "
    'outside national staff views. Method: "How the figures are worked out" in Assault Log (/dashboard/method/).'
)
# On what national staff download unsuppressed: it must not travel further as it is.
INTERNAL_CAVEAT = (
    "FOR NATIONAL FEDERATION STAFF ONLY: this file shows counts below 5, which are hidden everywhere else; "
    "do not publish or forward it. " + CAVEAT
)
# The breakdowns are counts of entries: no official figure, no interval.
BREAKDOWN_CAVEAT = (
    "Counts of entries logged by officers who chose to use Assault Log, not of all assaults. Counts below 5 "
    "are hidden outside national staff views, with more beside them where they could be worked out from the total."
)
INTERNAL_BREAKDOWN_CAVEAT = (
    "FOR NATIONAL FEDERATION STAFF ONLY: this file shows counts below 5, which are hidden everywhere else; "
    "do not publish or forward it. " + BREAKDOWN_CAVEAT
)


@dataclass(frozen=True)
class Viewer:
    """National staff see everything unrounded; reps see their own forces in full and other
    forces' published totals; officers see England and Wales. ``public`` is for what is
    printed for outside readers: suppressed whoever prints it."""

    national: bool
    rep_areas: frozenset[str]
    officer: bool
    public: bool = False

    def full(self, area: str) -> bool:
        return self.national or area in self.rep_areas or area == NATIONAL

    def unsuppressed(self) -> bool:
        return self.national and not self.public

    def sees_force_table(self) -> bool:
        return self.national or bool(self.rep_areas)

    def sees_force_page(self, area: str) -> bool:
        return self.national or bool(self.rep_areas)

    def printing(self) -> Viewer:
        return Viewer(self.national, self.rep_areas, self.officer, public=True)


def dashboard_viewer(user: Any) -> Viewer | None:
    if not user.is_authenticated:
        return None
    if staff_is_national(user):
        return Viewer(national=True, rep_areas=frozenset(), officer=False)
    if user.is_staff:
        codes = frozenset(Force.objects.filter(pk__in=staff_force_ids(user)).values_list("code", flat=True))
        return Viewer(national=False, rep_areas=codes, officer=False) if codes else None
    if officer_profile_for_user(user) is not None:
        return Viewer(national=False, rep_areas=frozenset(), officer=True)
    return None


def small(value: int | None) -> bool:
    return value is not None and 0 < value < SUPPRESS_BELOW


def count_text(value: int | None, viewer: Viewer) -> str:
    if value is None:
        return "–"
    if not viewer.unsuppressed() and small(value):
        return str(FEWER_THAN_5)
    return f"{value:,}"


def pair_text(part: int, whole: int, viewer: Viewer) -> tuple[str, str]:
    """The texts of "part of whole" (counted of checked): each count under 5
    hidden, as everywhere; the part hidden as well where the whole is under 5 (0 of 3 says all
    three, each an officer's report, were not counted) or where the rest is (28 of 30 says 2)."""
    part_text, whole_text = count_text(part, viewer), count_text(whole, viewer)
    if not viewer.unsuppressed() and not small(part) and (small(whole) or small(whole - part)):
        part_text = str(HIDDEN)
    return part_text, whole_text


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def share_hidden(estimate: dict[str, Any], viewer: Viewer) -> bool:
    """A share built on a small numerator, denominator or difference reveals the count."""
    if viewer.unsuppressed():
        return False
    counts = estimate.get("share_counts") or {}
    entries, reported = counts.get("entries", 0), counts.get("reported", 0)
    recorded, answered = counts.get("recorded", 0), counts.get("answered", 0)
    return any(
        small(value) for value in (entries, reported, recorded, answered, answered - recorded, entries - reported)
    )


@dataclass
class AreaFigures:
    """One area and year: text for a page (cells), values for sorting and CSV files (raw)."""

    area: str
    name: str
    slug: str
    year: int
    full: bool
    comparable: bool
    cells: dict[str, str]
    raw: dict[str, Any]
    # The name's language where it differs from the page's (Force.name_lang), for lang=.
    name_lang: str = ""


# The dashboard's table: (key, heading). Sortable by any key whose raw value is a number.
COLUMNS = [
    ("logged", gettext_lazy("Logged")),
    ("active_officers", gettext_lazy("Officers who logged")),
    ("recorded_share", gettext_lazy("Estimated share recorded as a crime")),
    ("official", gettext_lazy("Official figure")),
    # xgettext:no-python-format
    ("implied", gettext_lazy("Estimated true number (95% interval)")),
    ("not_in_official", gettext_lazy("Estimated not in the official count")),
    ("logged_rate", gettext_lazy("Logged per 1,000 officers")),
    ("implied_rate", gettext_lazy("Estimated per 1,000 officers")),
]
# Every CSV row: (key, heading). Numbers stay numbers; a hidden value says why. The headings
# stay in English, unmarked: stable column names for people's spreadsheets and scripts.
CSV_COLUMNS = [
    ("logged", "Logged"),
    ("verified", "Verified"),
    ("in_scope", "In scope of offences 8S and 104"),
    ("out_of_scope", "Outside the comparison (threats alone, sexual assaults)"),
    ("active_officers", "Officers who logged"),
    ("per_officer", "Logged per officer who logged"),
    ("reported_share", "Reported to the force (%)"),
    ("recorded_share", "Estimated share recorded as a crime (%)"),
    ("recorded_share_low", "Share recorded, 95% interval from (%)"),
    ("recorded_share_high", "Share recorded, 95% interval to (%)"),
    ("pool_weight", "Of the estimate, from the pool of forces (%)"),
    ("official", "Official figure"),
    ("official_basis", "What the official figure counts"),
    ("official_source", "Official figure's source"),
    ("not_compared", "Why the official figure is not compared"),
    ("implied", "Estimated true number"),
    ("implied_low", "Estimated true number, 95% interval from"),
    ("implied_high", "Estimated true number, 95% interval to"),
    ("not_in_official", "Estimated not in the official count"),
    ("band_low", "Estimated true number if every don't know were a yes"),
    ("band_high", "Estimated true number if every don't know were a no"),
    ("logged_rate", "Logged per 1,000 officers"),
    ("official_rate", "Official per 1,000 officers"),
    ("implied_rate", "Estimated per 1,000 officers"),
    ("verified_checked", "Recording check: crime references checked against force records"),
    ("verified_counted", "Recording check: of them, counted in 8S or 104 that year"),
    ("verified_share", "Checked against force records: share recorded as a crime (%)"),
    ("verified_share_low", "Checked against force records: share recorded, 95% interval from (%)"),
    ("verified_share_high", "Checked against force records: share recorded, 95% interval to (%)"),
    ("verified_implied", "Checked against force records: estimated true number"),
    ("verified_implied_low", "Checked against force records: estimated true number, 95% interval from"),
    ("verified_implied_high", "Checked against force records: estimated true number, 95% interval to"),
    ("caveat", "Caveat"),
]


def area_figures(
    snapshot: Snapshot | None,
    *,
    area: str,
    name: str,
    slug: str,
    year: int,
    viewer: Viewer,
    name_lang: str = "",
) -> AreaFigures:
    data = snapshot.data if snapshot else {}
    counts = data.get("counts", {})
    estimate = data.get("estimate") or {}
    figure = data.get("official") or {}
    implied = data.get("implied")
    rates = data.get("rates") or {}
    adoption = data.get("adoption") or {}
    full = viewer.full(area)
    national = area == NATIONAL
    hide_share = not national and share_hidden(estimate, viewer)
    # Where there is an estimated true number, the share shown is the official count over it,
    # so that the true number is the official figure divided by the share shown (and the same
    # for the interval's ends); the posterior share of section 8.4 is its input.
    share = estimate.get("official_share") if implied else estimate.get("share")
    shown_share = share if full and share and not hide_share else None
    shown_implied = implied if full else None
    pool_weight = (implied or estimate.get("share") or {}).get("pool_weight")
    active = adoption.get("officers")
    logged = counts.get("logged", 0)
    texts = _row_texts(logged, counts, estimate, active, viewer)
    raw: dict[str, Any] = {
        **(
            {key: _count_value(texts[key], value) for key, value in _row_counts(counts, estimate, active).items()}
            if full
            else dict.fromkeys(ROW_COUNTS)
        ),
        "per_officer": round(adoption["per_officer"], 1) if full and adoption.get("per_officer") else None,
        "reported_share": _pct((estimate.get("share") or {}).get("reported")) if full and not hide_share else None,
        "recorded_share": _pct(shown_share["estimate"]) if shown_share else None,
        "recorded_share_low": _pct(shown_share["low"]) if shown_share else None,
        "recorded_share_high": _pct(shown_share["high"]) if shown_share else None,
        "pool_weight": _pct(pool_weight) if full and not national and not hide_share and shown_implied else None,
        "official": figure.get("total"),
        "implied": round(shown_implied["total"]) if shown_implied else None,
        "implied_low": round(shown_implied["low"]) if shown_implied else None,
        "implied_high": round(shown_implied["high"]) if shown_implied else None,
        "not_in_official": round(shown_implied["not_in_official"]) if shown_implied else None,
        "band_low": round(shown_implied["band_low"]) if shown_implied else None,
        "band_high": round(shown_implied["band_high"]) if shown_implied else None,
        "logged_rate": _rate(rates.get("logged")) if full and not small(logged) else None,
        "official_rate": _rate(rates.get("official")),
        "implied_rate": _rate(rates.get("implied")) if full else None,
        **official_cells(figure),
        "caveat": INTERNAL_CAVEAT if viewer.unsuppressed() else CAVEAT,
    }
    cannot = _cannot(estimate, figure, data) if full else "–"
    verified = _verified(estimate.get("verified") if full and not national else None, hide_share, viewer, cannot)
    raw.update(verified.raw)
    cells = {
        **({key: texts[key] for key in ROW_COUNTS} if full else dict.fromkeys(ROW_COUNTS, "–")),
        "per_officer": f"{adoption['per_officer']:.1f}" if full and adoption.get("per_officer") else "–",
        "recorded_share": (
            f"{_percent(shown_share['estimate'])} ({_percent(shown_share['low'])}–{_percent(shown_share['high'])})"
            if shown_share
            else (str(SHARE_HIDDEN) if full and hide_share else _share_cannot(estimate, cannot) if full else "–")
        ),
        "reported_share": (
            _percent(estimate["share"]["reported"])
            if full and estimate.get("share") and not hide_share
            else (str(SHARE_HIDDEN) if full and hide_share else "–")
        ),
        "pool": _pool_text(pool_weight) if full and not national and shown_implied else "",
        "official": _official_text(figure),
        "implied": (
            f"{shown_implied['total']:,.0f} ({shown_implied['low']:,.0f}–{shown_implied['high']:,.0f})"
            if shown_implied
            else cannot
        ),
        "not_in_official": f"{shown_implied['not_in_official']:,.0f}" if shown_implied else cannot,
        "band": (f"{shown_implied['band_low']:,.0f}–{shown_implied['band_high']:,.0f}" if shown_implied else ""),
        "logged_rate": f"{raw['logged_rate']:.1f}" if raw["logged_rate"] is not None else "–",
        "official_rate": f"{raw['official_rate']:.1f}" if raw["official_rate"] is not None else "–",
        "implied_rate": f"{raw['implied_rate']:.1f}" if raw["implied_rate"] is not None else "–",
        **official_cells(figure, html=True),
        **verified.cells,
        "not_estimated_because": _not_estimated_text(estimate.get("not_estimated_because")),
        "out_of_scope_sentence": _out_of_scope_sentence(texts["out_of_scope"], estimate.get("out_of_scope", 0)),
        "national_sum": _national_sum(estimate) if national else "",
        "rates_missing": (
            _(
                "Rates per 1,000 officers need the year's officer numbers (Home Office police workforce "
                "statistics), which are not held for this year."
            )
            if figure.get("total") is not None and rates.get("official") is None
            else ""
        ),
    }
    comparable = bool(figure.get("compared"))
    return AreaFigures(area, name, slug, year, full, comparable, cells, raw, name_lang)


@dataclass
class VerifiedFigures:
    raw: dict[str, Any]
    cells: dict[str, str]


VERIFIED_KEYS = [key for key, _label in CSV_COLUMNS if key.startswith("verified_")]


def _verified(verified: dict[str, Any] | None, hide_share: bool, viewer: Viewer, cannot: str) -> VerifiedFigures:
    """The estimate corrected by a recording check in use (docs/method.md 8.11), beside the
    officers' own: the share (the official count over the true number, as for the officers'
    own), the true number, and how many crime references the check looked up."""
    if not verified:
        return VerifiedFigures(
            dict.fromkeys(VERIFIED_KEYS),
            {"verified_share": "", "verified_implied": "", "verified_sentence": "", "verified_headline": ""},
        )
    implied = verified.get("implied")
    share = (verified.get("official_share") if implied else verified.get("share")) if not hide_share else None
    checked, counted = verified["answered"], verified["counted"]
    counted_text, checked_text = pair_text(counted, checked, viewer)
    raw = {
        "verified_checked": _count_value(checked_text, checked),
        "verified_counted": _count_value(counted_text, counted),
        "verified_share": _pct(share["estimate"]) if share else None,
        "verified_share_low": _pct(share["low"]) if share else None,
        "verified_share_high": _pct(share["high"]) if share else None,
        "verified_implied": round(implied["total"]) if implied else None,
        "verified_implied_low": round(implied["low"]) if implied else None,
        "verified_implied_high": round(implied["high"]) if implied else None,
    }
    implied_text = f"{implied['total']:,.0f} ({implied['low']:,.0f}–{implied['high']:,.0f})" if implied else ""
    sentence = _(
        "Checked against force records for a random sample of %(checked)s crime references: the force's "
        "crime registrar found %(counted)s of them counted as offence 8S or 104 in the year."
    ) % {"checked": checked_text, "counted": counted_text}
    if verified.get("factor") is None:
        sentence += " " + _("No entry in scope says it was recorded, so the check cannot correct the share.")
    elif implied:
        sentence += " " + _("Corrected by that check, the estimated true number is %(estimate)s.") % {
            "estimate": implied_text
        }
    headline = (
        _(
            "Checked against force records for a random sample of %(checked)s crime references, it is about "
            "%(estimate)s."
        )
        % {"checked": checked_text, "estimate": implied_text}
        if implied and verified.get("factor") is not None
        else sentence
    )
    by_answer = verified.get("by_answer") or {}
    said = [
        words % dict(zip(("counted", "answered"), pair_text(pair[1], pair[0], viewer), strict=True))
        for key, words in (
            ("yes", _("of those officers said were recorded, %(counted)s of %(answered)s")),
            ("unknown", _("of those officers did not know about, %(counted)s of %(answered)s")),
            ("no", _("of those officers said were not recorded, %(counted)s of %(answered)s")),
        )
        if (pair := by_answer.get(key)) and pair[0]
    ]
    if said:
        # One list, "; " between its items: "Counted, of those ..., 30 of 35; of those ..., 2 of 3."
        sentence += " " + _(
            "Counted, %(list)s. The share recorded is of every assault logged, reported or not, so it is lower "
            "than these rates."
        ) % {"list": "; ".join(said)}
    return VerifiedFigures(
        raw,
        {
            "verified_share": (
                f"{_percent(share['estimate'])} ({_percent(share['low'])}–{_percent(share['high'])})"
                if share
                else (str(SHARE_HIDDEN) if hide_share else "–")
            ),
            "verified_implied": implied_text or cannot,
            "verified_sentence": sentence,
            "verified_headline": headline,
        },
    )


# The counts of a row, each shown or hidden; logged is split two ways (in scope or not;
# verified or waiting), so a hidden part must not be the total less the other.
ROW_COUNTS = ("logged", "verified", "in_scope", "out_of_scope", "active_officers")


def _row_counts(counts: dict[str, Any], estimate: dict[str, Any], active: int | None) -> dict[str, int]:
    return {
        "logged": counts.get("logged", 0),
        "verified": counts.get("verified", 0),
        "in_scope": estimate.get("in_scope", 0),
        "out_of_scope": estimate.get("out_of_scope", 0),
        "active_officers": active or 0,
    }


def _row_texts(
    logged: int, counts: dict[str, Any], estimate: dict[str, Any], active: int | None, viewer: Viewer
) -> dict[str, str]:
    values = _row_counts(counts, estimate, active)
    texts = {key: count_text(value, viewer) for key, value in values.items()}
    for parts in (("in_scope", "out_of_scope"), ("verified", "pending")):
        cells = [values.get(key, logged - values["verified"]) for key in parts]
        if sum(cells) != logged:
            continue
        shown = suppressed_texts(cells, viewer, partition=not small(logged))
        for key, text in zip(parts, shown or [str(HIDDEN)] * len(parts), strict=True):
            if key in texts:
                texts[key] = text
    return texts


def _count_value(text: str, value: int) -> int | str:
    """A CSV cell: the number, or why it is not given."""
    return value if text in (f"{value:,}", "–") else text


def _national_sum(estimate: dict[str, Any]) -> str:
    own = estimate.get("forces_with_own_figure") or 0
    rest = estimate.get("rest_forces") or 0
    if not estimate.get("implied") and not own:
        return _(
            "England and Wales is the sum of the forces' estimates, so forces where many officers log do not "
            "outweigh the rest."
        )
    if not own:
        # One estimate for every force together: there is no sum of forces' own to speak of.
        return ngettext(
            "No force has an official figure of its own for this year, so England and Wales is estimated from "
            "the entries of its %(rest)s force counted together, against the national figure.",
            "No force has an official figure of its own for this year, so England and Wales is estimated from "
            "the entries of all %(rest)s forces counted together, against the national figure.",
            rest,
        ) % {"rest": rest}
    if rest and estimate.get("rest_official") is not None:
        return ngettext(
            "England and Wales is the sum of the forces' estimates, so forces where many officers log do not "
            "outweigh the rest: the estimates of %(own)s force with an official figure of its own, and one for "
            "the other %(rest)s forces counted together (the national figure less those forces' own, "
            "%(rest_official)s).",
            "England and Wales is the sum of the forces' estimates, so forces where many officers log do not "
            "outweigh the rest: the estimates of %(own)s forces with an official figure of their own, and one "
            "for the other %(rest)s forces counted together (the national figure less those forces' own, "
            "%(rest_official)s).",
            own,
        ) % {"own": own, "rest": rest, "rest_official": f"{estimate['rest_official']:,}"}
    return ngettext(
        "England and Wales is the sum of the forces' estimates, so forces where many officers log do not "
        "outweigh the rest: the estimates of %(own)s force with an official figure of its own.",
        "England and Wales is the sum of the forces' estimates, so forces where many officers log do not "
        "outweigh the rest: the estimates of %(own)s forces with an official figure of their own.",
        own,
    ) % {"own": own}


def _out_of_scope_sentence(text: str, value: int) -> str:
    if text == str(FEWER_THAN_5):
        return _(
            "Fewer than 5 entries are only a threat or a sexual assault, which offences 8S and 104 do not "
            "count: logged and shown, but not compared."
        )
    if text == str(HIDDEN):
        return _(
            "Some entries (how many is hidden, so that a small count cannot be worked out) are only a threat "
            "or a sexual assault, which offences 8S and 104 do not count: logged and shown, but not compared."
        )
    if value == 0:
        return _(
            "No entry is only a threat or a sexual assault, which offences 8S and 104 do not count: logged "
            "and shown, but not compared."
        )
    return ngettext(
        "%(count)s entry is only a threat or a sexual assault, which offences 8S and 104 do not count: "
        "logged and shown, but not compared.",
        "%(count)s entries are only a threat or a sexual assault, which offences 8S and 104 do not count: "
        "logged and shown, but not compared.",
        value,
    ) % {"count": text}


def _count(value: int | None, viewer: Viewer) -> int | str | None:
    if value is None:
        return None
    return str(FEWER_THAN_5) if not viewer.unsuppressed() and small(value) else value


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cannot(estimate: dict[str, Any], figure: dict[str, Any], data: dict[str, Any]) -> str:
    """Why there is no estimated true number, in words."""
    if not estimate.get("in_scope"):
        return _("no entries in scope") if data.get("counts", {}).get("logged") else _("no entries")
    if estimate.get("not_estimated_because"):
        return _("cannot estimate (see below)")
    if not figure:
        return _("no official figure")
    if not figure.get("compared"):
        return _("not compared")
    if not estimate.get("share"):
        return _("no answers yet")
    return _("too few answers recorded as a crime")


def _share_cannot(estimate: dict[str, Any], cannot: str) -> str:
    """Why there is no share: the share needs entries in scope with answers, not a figure."""
    if not estimate.get("in_scope"):
        return cannot
    if not estimate.get("share"):
        return _("no answers yet")
    return _("cannot estimate")


def _not_estimated_text(reason: str | None) -> str:
    """Why England and Wales has no estimate: reports.estimates keeps the reason in the snapshot
    in English (marked there with gettext_noop); the page gives it in its own language."""
    return _(reason) if reason else ""


def _pool_text(weight: float | None) -> str:
    if not weight or weight < 0.005:
        return ""
    text = _("%(percent)s of this estimate comes from the pool of other forces' entries.") % {
        "percent": _percent(weight)
    }
    if weight > 0.5:
        text += " " + _("Too few answers here for a figure of this force's own: read it as mostly the other forces'.")
    return text


def _official_text(figure: dict[str, Any]) -> str:
    """The official count, or the one offence it gives ("136 with injury only")."""
    if figure.get("total") is not None:
        return f"{figure['total']:,}"
    if figure.get("with_injury") is not None:
        return _("%(count)s with injury only") % {"count": f"{figure['with_injury']:,}"}
    if figure.get("without_injury") is not None:
        return _("%(count)s without injury only") % {"count": f"{figure['without_injury']:,}"}
    return _("not published")


SHORT_KINDS = {
    SourceKind.HOME_OFFICE: gettext_lazy("Home Office"),
    SourceKind.FORCE: pgettext_lazy("who published an official figure", "force"),
    SourceKind.FEDERATION: gettext_lazy("Police Federation"),
    SourceKind.PRESS: pgettext_lazy("who published an official figure", "press"),
}


def official_cells(figure: dict[str, Any], *, html: bool = False) -> dict[str, str]:
    """What the official figure is and where it comes from, as text for pages and CSV files.

    Made when the page (or file) is: the snapshot keeps the figure's basis, source and the
    forces it leaves out, so the words are in the page's language (the snapshot's own English
    words are for snapshots made before it kept them). With html, text left in English on a
    page in another language (the release's title) is marked as English."""
    if not figure:
        return {
            "official_basis": "",
            "official_source": "",
            "official_kind": "",
            "not_compared": "",
            "coverage": "",
            "official_check": "",
        }
    check = figure.get("check")
    check_text = ""
    if check:
        values = {
            "total": f"{figure['total']:,}",
            "published": f"{check['published_total']:,}",
            "source": _source(check, html=False),
            "difference": f"{abs(check['difference']):,}",
        }
        check_text = (
            _("The forces add up to %(total)s; the published national total is %(published)s (%(source)s): they agree.")
            if check["difference"] == 0
            else _(
                "The forces add up to %(total)s; the published national total is %(published)s (%(source)s): "
                "%(difference)s apart."
            )
        ) % values
    basis = figure.get("basis", "")
    known = basis in FigureBasis.values and "forces" in figure  # else a snapshot made before it kept them
    # How many forces it covers: shown for England and Wales, and why a partial one is not compared.
    coverage = _coverage(figure) if known and (figure.get("coverage") or basis == FigureBasis.PARTIAL_COVERAGE) else ""
    return {
        "official_basis": str(FigureBasis(basis).label)
        if basis in FigureBasis.values
        else figure.get("basis_label", ""),
        "official_source": _source(figure, html=html),
        "official_kind": str(SHORT_KINDS.get(figure.get("source_kind", ""), "")),
        "not_compared": (
            ""
            if figure.get("compared") or not figure.get("not_compared")
            else not_compared_words(basis, coverage)
            if known
            else figure["not_compared"]
        ),
        "coverage": (coverage if known else str(figure["coverage"])) if figure.get("coverage") else "",
        "official_check": check_text,
    }


def _source(figure: dict[str, Any], *, html: bool) -> str:
    """Who published a figure (selectors.source_words), from what the snapshot keeps of it."""
    if not figure.get("published_on") or figure.get("source_kind") not in SourceKind.values:
        return figure.get("source", figure.get("source_title", ""))
    return source_words(
        figure["source_kind"],
        figure.get("source_title", ""),
        figure.get("source_url", ""),
        datetime.date.fromisoformat(figure["published_on"]),
        html=html,
    )


def _coverage(figure: dict[str, Any]) -> str:
    """How many forces a figure covers, and which are missing, by their names on the page."""
    missing = figure.get("missing_areas") or []
    names = {force.code: force.local_short_name for force in Force.objects.filter(code__in=missing)} if missing else {}
    return coverage_words(
        figure["basis"], bool(figure.get("derived")), figure["forces"], [names.get(code, code) for code in missing]
    )


def csv_rows(figures: Iterable[AreaFigures], *, with_year: bool) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for a CSV a spreadsheet opens: numbers as numbers, with the basis,
    source and caveat of each row in its own columns."""
    header = ["Area", *(["Financial year"] if with_year else []), *[label for _key, label in CSV_COLUMNS]]
    rows = [
        [
            f.name,
            *([financial_year_label(f.year)] if with_year else []),
            *[_blank(f.raw.get(key)) for key, _label in CSV_COLUMNS],
        ]
        for f in figures
    ]
    return header, rows


def _blank(value: Any) -> Any:
    return "" if value is None else value


def dashboard_table(
    year: int, viewer: Viewer, snapshots: dict[str, Snapshot], *, sort: str = "name", descending: bool = False
) -> list[AreaFigures]:
    """Every force for a year, from its snapshots, sorted by a column. Each force is named in the
    page's language (Force.local_short_name); sorted by name, the order is the slug's, the same
    in either language."""
    rows = [
        area_figures(
            snapshots.get(force.code),
            area=force.code,
            name=force.local_short_name,
            name_lang=force.name_lang,
            slug=force.slug,
            year=year,
            viewer=viewer,
        )
        for force in Force.objects.order_by("slug")
    ]
    if sort in dict(COLUMNS):
        number = [row for row in rows if isinstance(row.raw.get(sort), int | float)]
        rest = [row for row in rows if not isinstance(row.raw.get(sort), int | float)]
        number.sort(key=lambda row: row.raw[sort], reverse=descending)
        return number + rest
    return sorted(rows, key=lambda row: row.slug, reverse=descending)


BREAKDOWN_TITLES = {
    "what_happened": gettext_lazy("What happened"),
    "injury": gettext_lazy("Injury"),
    "duty_type": gettext_lazy("Duty"),
    "single_crewed": pgettext_lazy("breakdown title", "Single-crewed"),
    "setting": gettext_lazy("Where"),
    "not_reported_reasons": gettext_lazy("Why not reported"),
}
# The breakdowns whose cells add up to the logged total, which is published: a hidden cell in
# one of these could be worked out by subtraction, so more are hidden beside it. (An entry may
# have several kinds of assault or reasons not reported: those cells do not add up to anything.)
PARTITIONS = {"injury", "duty_type", "single_crewed", "setting"}


def breakdown_tables(snapshot: Snapshot | None, viewer: Viewer, area: str) -> list[dict[str, Any]]:
    """Each breakdown as (label, count, text) rows, largest first, labels in plain words."""
    if snapshot is None or not viewer.full(area):
        return []
    # The snapshot keeps each category's stored value (and "not said" where none was given);
    # the labels are the choices' own, in the page's language.
    not_said = pgettext("breakdown answer", "Not said")
    labels: dict[str, dict[str, Any]] = {
        "what_happened": dict(AssaultKind.choices),
        "injury": dict(Injury.choices),
        "duty_type": dict(Duty.choices),
        "setting": dict(Setting.choices),
        "not_reported_reasons": dict(NotReportedReason.choices),
        # Answers to "Were you single-crewed?"
        "single_crewed": {
            "yes": pgettext("breakdown answer", "Yes"),
            "no": pgettext("breakdown answer", "No"),
            "not sure": pgettext("breakdown answer", "Not sure"),
        },
    }
    tables = []
    for key, title in BREAKDOWN_TITLES.items():
        bucket = snapshot.data.get("breakdowns", {}).get(key, {})
        named = labels[key] | {"not said": not_said}
        rows = sorted(
            ((str(named.get(label, label.capitalize())), count) for label, count in bucket.items()),
            key=lambda item: -item[1],
        )
        texts = suppressed_texts([count for _label, count in rows], viewer, partition=key in PARTITIONS)
        tables.append(
            {
                "key": key,
                "title": str(title),
                # Too few entries to show safely: no rows at all (even their labels tell something).
                "rows": [(label, count, text) for (label, count), text in zip(rows, texts, strict=True)]
                if texts is not None
                else [],
                "withheld": texts is None,
            }
        )
    return tables


def suppressed_texts(counts: list[int], viewer: Viewer, *, partition: bool) -> list[str] | None:
    """Each count as shown: small ones hidden ("fewer than 5"); in a partition of a published
    total, the next smallest are hidden too ("hidden") until no hidden cell can be worked out
    from the total and the others (a "fewer than 5" is 1 to 4, a "hidden" one 5 or more). If
    even hiding every cell would not do that, None: the table is not shown."""
    if viewer.unsuppressed():
        return [f"{count:,}" for count in counts]
    texts = [str(FEWER_THAN_5) if small(count) else f"{count:,}" for count in counts]
    if not partition or not any(small(count) for count in counts):
        return texts
    hidden = [i for i, count in enumerate(counts) if small(count)]
    visible = sorted((count, i) for i, count in enumerate(counts) if not small(count))
    while not _undeducible(hidden, counts):
        if not visible:
            return None
        _count, i = visible.pop(0)
        hidden.append(i)
        texts[i] = str(HIDDEN)
    return texts


def _undeducible(hidden: list[int], counts: list[int]) -> bool:
    """Whether every hidden cell could take two values or more, knowing their sum (the total
    less the visible cells) and that each is 1 to 4 if small, else 5 or more."""
    if len(hidden) < 2:
        return False
    total = sum(counts[i] for i in hidden)
    bounds = [(1, SUPPRESS_BELOW - 1) if small(counts[i]) else (SUPPRESS_BELOW, total) for i in hidden]
    low_sum, high_sum = sum(low for low, _high in bounds), sum(high for _low, high in bounds)
    for low, high in bounds:
        # The cell's values that the others can make up to the total: an interval.
        least = max(low, total - (high_sum - high))
        most = min(high, total - (low_sum - low))
        if most <= least:
            return False
    return True
