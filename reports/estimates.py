"""One financial year's estimates for every force and for England and Wales (docs/method.md).

From each force's sums (reports.selectors.estimate_sums) and the official figures used: the
recording share of each part (with injury, pairing with offence 8S; without, pairing with 104;
and all in-scope entries), a pool fitted across the forces for each part, and the implied true
number wherever the official figure is compared with the entries (the sum of the two parts'
estimates where the figure gives both, else the total with all entries' share). England and
Wales is the sum of the forces' estimates; the forces without a figure of their own count as
one block, at the national figure less the forces' own, with their entries' share. A force
and year with a recording check in use also gets the verified estimate beside the officers'
own (key "verified"; docs/method.md section 8.11); England and Wales stays the officers' own.
Reads no database: everything comes in as arguments.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np
from django.utils.translation import gettext_noop

from reports import statistics
from reports.models import NATIONAL, OfficialFigure
from reports.statistics import CheckAnswers, Implied, Prior, Share, Sums

PARTS = ("w", "o", "a")  # with injury (8S), without (104), all in-scope entries


@dataclass
class Area:
    """A force's (or the national block's) parts and what its estimate is built from."""

    sums: dict[str, Sums]
    effective: dict[str, statistics.Effective | None]
    shares: dict[str, Share | None]
    active_officers: int = 0
    out_of_scope: int = 0


@dataclass(frozen=True)
class UsedCheck:
    """The recording check a force and year's figures use: its answers and what it was."""

    id: int
    drawn: int
    eligible: int
    answers: CheckAnswers


def year_estimates(
    year: int,
    rows: Mapping[str, Mapping[str, int]],
    figures: Mapping[str, OfficialFigure],
    forces: list[str],
    checks: Mapping[str, UsedCheck] | None = None,
) -> dict[str, dict[str, Any]]:
    """The estimate of every force with entries or a figure, and of England and Wales, as the
    JSON a snapshot keeps (key "estimate"), by area code; ``checks`` the recording checks in
    use, by area code."""
    areas = {code: _area(rows.get(code, {})) for code in forces}
    # Each force's pool for each part, fitted from the other forces.
    priors = {
        part: statistics.fit_priors({code: area.effective[part] for code, area in areas.items()}) for part in PARTS
    }
    for code, area in areas.items():
        area.shares = {part: statistics.share(area.effective[part], priors[part][code]) for part in PARTS}
    result: dict[str, dict[str, Any]] = {}
    components: dict[str, list[tuple[int, Share]]] = {}
    for code, area in areas.items():
        figure = figures.get(code)
        parts = _components(figure, area) if figure is not None and figure.compared else None
        if parts:
            components[code] = parts
        if area.sums["a"].n or area.active_officers or figure is not None:
            result[code] = _document(area, parts, priors["a"][code], seed=f"{code}:{year}")
            check = (checks or {}).get(code)
            if check is not None:
                result[code]["verified"] = _verified(area, parts, check, seed=f"{code}:{year}")
    national = _national(areas, figures.get(NATIONAL), components, forces, year)
    result[NATIONAL] = national
    return result


def _area(row: Mapping[str, int]) -> Area:
    sums = {part: statistics.sums_from(row, f"{part}_") for part in PARTS}
    return Area(
        sums=sums,
        effective={part: statistics.effective(sums[part]) for part in PARTS},
        shares={},
        active_officers=row.get("active_officers", 0),
        out_of_scope=row.get("out_of_scope", 0),
    )


def usable(share: Share | None) -> TypeGuard[Share]:
    """An estimate needs at least one answer's worth of entries recorded as a crime, or a pool
    to borrow from: from none recorded and nothing to borrow, official / share is unbounded."""
    return share is not None and (share.prior.fitted or share.direct.k >= 1)


def _components(figure: OfficialFigure, area: Area) -> list[tuple[int, Share]] | None:
    """(official count, share) pairs whose implied totals add up to the area's: by offence where
    the figure gives both and each part can be estimated, else the total with all entries' share."""
    with_share, without_share = area.shares["w"], area.shares["o"]
    with_injury, without_injury = figure.with_injury, figure.without_injury
    if with_injury is not None and without_injury is not None and usable(with_share) and usable(without_share):
        return [(with_injury, with_share), (without_injury, without_share)]
    all_share = area.shares["a"]
    if not usable(all_share) or figure.count is None:
        return None
    return [(figure.count, all_share)]


def _implied(parts: list[tuple[int, Share]], seed: str) -> Implied:
    if len(parts) == 1:
        return statistics.implied(*parts[0])
    return statistics.implied_sum(parts, seed)


def _implied_json(estimate: Implied, parts: list[tuple[int, Share]]) -> dict[str, Any]:
    weight = sum(official * share.pool_weight for official, share in parts) / max(1, estimate.official)
    return {
        "total": estimate.total,
        "low": estimate.low,
        "high": estimate.high,
        "not_in_official": estimate.not_in_official,
        "band_low": estimate.band[0],
        "band_high": estimate.band[1],
        "by_offence": len(parts) > 1,
        "pool_weight": weight,
    }


def _share_json(share: Share | None) -> dict[str, Any] | None:
    if share is None:
        return None
    direct = share.direct
    return {
        "estimate": share.estimate,
        "low": share.low,
        "high": share.high,
        "pool_weight": share.pool_weight,
        "design_effect": direct.design_effect,
        "effective_answers": direct.n,
        "direct": direct.share,
        "reported": direct.reported,
        "recorded_if_reported": direct.recorded_if_reported,
        "band_low": direct.band[0],
        "band_high": direct.band[1],
    }


def _document(area: Area, parts: list[tuple[int, Share]] | None, pool: Prior, *, seed: str) -> dict[str, Any]:
    scope = area.sums["a"]
    estimate = _implied(parts, seed) if parts else None
    return {
        "in_scope": scope.n,
        "out_of_scope": area.out_of_scope,
        "with_injury": area.sums["w"].n,
        "without_injury": area.sums["o"].n,
        # The smallest counts behind the share, so a page can tell whether it may be shown.
        "share_counts": {"entries": scope.n, "reported": scope.r, "recorded": scope.y, "answered": scope.y + scope.m},
        "active_officers": area.active_officers,
        "share": _share_json(area.shares["a"]),
        "implied": _implied_json(estimate, parts) if estimate and parts else None,
        "official_share": _official_share(estimate),
        "pool": {"mean": pool.mean, "strength": pool.strength, "fitted": pool.fitted},
    }


def _official_share(estimate: Implied | None) -> dict[str, float] | None:
    shares = statistics.official_share(estimate) if estimate else None
    return None if shares is None else {"estimate": shares[0], "low": shares[1], "high": shares[2]}


def _verified(area: Area, parts: list[tuple[int, Share]] | None, check: UsedCheck, *, seed: str) -> dict[str, Any]:
    """The officers' share and true number corrected by a recording check (section 8.11)."""
    answers = check.answers
    rates = answers.rates()
    factor = statistics.correction(area.sums["a"], *rates)
    document: dict[str, Any] = {
        "check": check.id,
        "drawn": check.drawn,
        "eligible": check.eligible,
        "answered": answers.answered,
        "counted": answers.counted,
        "by_answer": {"yes": list(answers.yes), "no": list(answers.no), "unknown": list(answers.unknown)},
        "rates": {"yes": rates[0], "no": rates[1], "unknown": rates[2]},
        "factor": None if factor is None else float(factor),
        "share": None,
        "implied": None,
        "official_share": None,
    }
    all_share = area.shares["a"]
    if factor is None or all_share is None:
        return document
    # The share verified: the officers' posterior times the factor, its interval simulated.
    rng = np.random.default_rng(zlib.crc32(f"{seed}:verified share".encode()))
    factors = statistics.correction(area.sums["a"], *answers.draws(rng, statistics.VERIFIED_DRAWS))
    draws = np.clip(
        rng.beta(all_share.alpha, all_share.beta, statistics.VERIFIED_DRAWS) * np.asarray(factors), 0.0, 1.0
    )
    low, high = (float(x) for x in np.quantile(draws, [statistics.LOWER, statistics.UPPER]))
    document["share"] = {"estimate": min(1.0, all_share.estimate * float(factor)), "low": low, "high": high}
    if parts:
        # _components gives the two injury parts, in order, or all entries' share alone.
        keys = ("w", "o") if len(parts) == 2 else ("a",)
        triples = [(official, share, area.sums[key]) for (official, share), key in zip(parts, keys, strict=True)]
        estimate = statistics.verified_implied(triples, answers, seed)
        document["implied"] = {
            "total": estimate.total,
            "low": estimate.low,
            "high": estimate.high,
            "not_in_official": estimate.not_in_official,
            "by_offence": len(parts) > 1,
        }
        document["official_share"] = _official_share(estimate)
    return document


def _national(
    areas: dict[str, Area],
    figure: OfficialFigure | None,
    components: dict[str, list[tuple[int, Share]]],
    forces: list[str],
    year: int,
) -> dict[str, Any]:
    """England and Wales: the sum of the forces' estimates, the forces without a figure of their
    own as one block at the national figure less the forces' own."""
    total = Area(
        sums={part: sum((a.sums[part] for a in areas.values()), Sums()) for part in PARTS},
        effective={},
        shares={},
        active_officers=sum(a.active_officers for a in areas.values()),
        out_of_scope=sum(a.out_of_scope for a in areas.values()),
    )
    total.effective = {part: statistics.effective(total.sums[part]) for part in PARTS}
    total.shares = dict.fromkeys(PARTS)  # the national share is official / implied
    parts = [component for code in forces for component in components.get(code, [])]
    # Why there is no estimate, in words: kept in English in the snapshot, a page shows gettext(reason).
    reason = None
    rest: list[str] = []
    remainder = None
    if figure is not None and figure.compared and figure.count is not None:
        own = sum(official for official, _ in parts)
        rest = [code for code in forces if code not in components]
        rest_sums = sum((areas[code].sums["a"] for code in rest), Sums())
        remainder = figure.count - own
        if remainder < 0:
            parts, reason = [], gettext_noop("the forces' own figures add up to more than the national figure")
        elif remainder > 0:
            # The block's pool is fitted from the forces outside it.
            pool = statistics.fit_prior(areas[code].effective["a"] for code in forces if code in components)
            rest_share = statistics.share(statistics.effective(rest_sums), pool)
            if not usable(rest_share):
                parts, reason = [], gettext_noop("the forces without a figure of their own have no answers")
            else:
                parts.append((remainder, rest_share))
    elif len(components) < len(forces):
        parts, reason = (
            [],
            gettext_noop("there is no comparable national figure, and not every force has one of its own"),
        )
    pool = statistics.fit_prior(area.effective["a"] for area in areas.values())  # shown, not used
    document = _document(total, parts or None, pool, seed=f"{NATIONAL}:{year}")
    document["forces_with_own_figure"] = len(components)
    document["rest_forces"] = len(rest) if parts and remainder else 0
    document["rest_official"] = remainder if parts and remainder else None
    document["not_estimated_because"] = reason
    return document
