"""The estimate of how many assaults the official count misses (docs/method.md, section 8).

Everything here works from sums the database makes (reports.selectors.estimate_sums): for one
area, year and part (with injury, without, or both), the entries' counts and the sums over
officers of products of each officer's counts. No function reads the database.

1. **The recording share** p = P(reported) x P(recorded | reported). "Not yet" and "no" are not
   reported, so not recorded; "don't know" is missing among the reported entries only.
2. **Officers, not entries, are the sampling units.** The variance of p comes from the
   officers' sums (a ratio estimator linearised per officer, Taylor's method); its ratio to
   the variance were every entry independent is the design effect, and the effective number of
   answers is what the same variance would need from independent entries.
3. **Small areas borrow strength**: a beta prior fitted across the other forces of the year
   (empirical Bayes, method of moments on the effective counts, leaving the force itself out)
   is updated with each force's effective counts; the pool's weight is said on the pages.
4. **Chapman's estimator** of the true number from the official count M:
   (M + 1)(n + 1)/(k + 1) - 1 at the effective counts (plus the pool's, where it has one);
   its interval is M / p at the posterior's 97.5% and 2.5% points of p. A sum (two offences,
   or England and Wales) is simulated from the parts' posteriors.

5. **A recording check** (a random sample of crime references looked up by the force's
   registrar) corrects what the officers said: the share is multiplied by a factor from the
   verified rates by answer, and the interval simulates those rates' posteriors with the share's
   (``verified_implied``).

These are estimates from officers who chose to log, not counts: the intervals cover sampling
error only, not who chooses to use the app.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
from scipy.special import betaincinv, ndtri, stdtrit

CONFIDENCE = 0.95
LOWER, UPPER = (1 - CONFIDENCE) / 2, 1 - (1 - CONFIDENCE) / 2
# Where fewer forces than this have answers in a year, there is no pool to fit: each area's
# share gets Jeffreys' prior, Beta(1/2, 1/2), which alone gives intervals close to exact.
MIN_FORCES_TO_POOL = 5
JEFFREYS = 0.5
# The pool never counts for more than this many answers (the prior's strength a + b): a large
# force's estimate stays its own even where the forces seem alike.
MAX_POOL_STRENGTH = 99.0
DRAWS = 20_000
# A check's correction is simulated with more draws: its interval has no exact form to fall back on.
VERIFIED_DRAWS = 20_000


@dataclass(frozen=True)
class Sums:
    """One area, year and part: entry counts and sums over officers of each officer's counts.

    n entries, r reported, y recorded (reported and said recorded), m not recorded though
    reported, d don't know (reported); q = y + m, the reported entries whose answer is known.
    The products (nn = sum of n_i squared, and so on) are over officers i.
    """

    officers: int = 0
    n: int = 0
    r: int = 0
    y: int = 0
    m: int = 0
    d: int = 0
    nn: int = 0
    rr: int = 0
    rn: int = 0
    yy: int = 0
    yq: int = 0
    qq: int = 0
    ry: int = 0
    rq: int = 0
    ny: int = 0
    nq: int = 0

    def __add__(self, other: Sums) -> Sums:
        return Sums(*(getattr(self, name) + getattr(other, name) for name in SUMS_FIELDS))

    @property
    def answered(self) -> int:
        """Entries whose recording is known: not reported (so not recorded), or reported and answered."""
        return self.n - self.d


SUMS_FIELDS = tuple(f.name for f in fields(Sums))


@dataclass(frozen=True)
class Effective:
    """The share as the entries give it directly, and how much it is worth."""

    share: float  # a x b
    reported: float  # a = r / n
    recorded_if_reported: float | None  # b = y / (y + m)
    n: float  # effective number of answers
    k: float  # effective number recorded (share x n)
    design_effect: float
    band: tuple[float, float]  # the share were every "don't know" a no, or a yes


def effective(s: Sums) -> Effective | None:
    """p = a b with its effective counts, or None where nothing is known of the recording."""
    if s.n == 0 or s.answered == 0:
        return None
    a = s.r / s.n
    q = s.y + s.m
    b = s.y / q if q else None
    share = a * b if b is not None else 0.0
    band = (s.y / s.n, (s.y + s.d) / s.n)
    if b is None:  # every reported entry is a "don't know": reporting is known, recording not
        return Effective(share, a, None, 0.0, 0.0, 1.0, band)
    # With a half added to each count, so that a share of 0 or 1 still has a variance.
    a_, b_ = (s.r + 0.5) / (s.n + 1), (s.y + 0.5) / (q + 1)
    p_ = a_ * b_
    # As many independent answers as would give a b its variance: n when no one said "don't
    # know", fewer the more did (reporting is known for them, recording is not).
    independent = p_ * (1 - p_) / (b_ * b_ * a_ * (1 - a_) / s.n + a_ * a_ * b_ * (1 - b_) / q)
    entries = _linearised(s, a_, b_, by_officer=False)
    officers = _linearised(s, a_, b_, by_officer=True) * small_sample_factor(s.officers, s.n)
    # At least 1 (officers' entries alike no more than chance); at most the number of entries
    # (all of them alike, as when one officer made them all: they count as one answer).
    design_effect = min(float(s.n), max(1.0, officers / entries)) if entries > 0 else 1.0
    n_eff = min(independent, float(s.answered)) / design_effect
    return Effective(share, a, b, n_eff, share * n_eff, design_effect, band)


@lru_cache(maxsize=1024)
def _t_over_z_squared(degrees: int) -> float:
    return float(stdtrit(degrees, UPPER) / ndtri(UPPER)) ** 2


def small_sample_factor(officers: int, entries: int) -> float:
    """(t / z)^2, t the 97.5% point of Student's t with officers - 1 degrees of freedom: a
    variance read from few officers is itself uncertain, as for any clustered standard error.
    1 where every officer made one entry (no clustering to estimate) and where one officer
    made them all (the design effect is then the number of entries anyway)."""
    if officers < 2 or officers >= entries:
        return 1.0
    return _t_over_z_squared(officers - 1)


def _linearised(s: Sums, a: float, b: float, *, by_officer: bool) -> float:
    """Var(a b) by Taylor linearisation over clusters: officers, or each entry alone.

    For cluster i with counts n_i, r_i, y_i, q_i, its influence on a b is
    z_i = b (r_i - a n_i) / n + a (y_i - b q_i) / q, and Var = C/(C - 1) sum z_i^2.
    """
    q = s.y + s.m
    if by_officer:
        clusters = s.officers
        rr = s.rr - 2 * a * s.rn + a * a * s.nn
        yy = s.yy - 2 * b * s.yq + b * b * s.qq
        ry = s.ry - b * s.rq - a * s.ny + a * b * s.nq
    else:  # each entry its own cluster: the products of 0/1 counts
        clusters = s.n
        rr = s.r * (1 - a) ** 2 + (s.n - s.r) * a * a
        yy = s.y * (1 - b) ** 2 + s.m * b * b
        ry = (1 - a) * (s.y * (1 - b) - s.m * b)
    total = max(0.0, (b / s.n) ** 2 * rr + (a / q) ** 2 * yy + 2 * a * b / (s.n * q) * ry)
    if clusters >= 2:
        return total * clusters / (clusters - 1)
    # One officer: nothing shows how alike their entries are, so they count as one answer
    # (the design effect is capped at the number of entries). One entry is one answer.
    return float("inf") if by_officer else total


@dataclass(frozen=True)
class Prior:
    alpha: float
    beta: float
    fitted: bool  # False: Jeffreys' prior, no pool

    @property
    def strength(self) -> float:
        return self.alpha + self.beta

    @property
    def mean(self) -> float:
        return self.alpha / self.strength


NO_POOL = Prior(JEFFREYS, JEFFREYS, fitted=False)


@dataclass(frozen=True)
class Moments:
    """What the pool's fit needs from a set of forces: F, N = sum n, K = sum k, sum k^2/n and
    sum n^2 (over forces with at least one effective answer). Sums, so one force can be taken
    out of all of them."""

    forces: int = 0
    n: float = 0.0
    k: float = 0.0
    kk_n: float = 0.0
    nn: float = 0.0

    @classmethod
    def of(cls, e: Effective | None) -> Moments:
        if e is None or e.n < 1:
            return cls()
        return cls(1, e.n, e.k, e.k * e.k / e.n, e.n * e.n)

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.forces + other.forces, self.n + other.n, self.k + other.k, self.kk_n + other.kk_n, self.nn + other.nn
        )

    def __sub__(self, other: Moments) -> Moments:
        return Moments(
            self.forces - other.forces, self.n - other.n, self.k - other.k, self.kk_n - other.kk_n, self.nn - other.nn
        )


def fit_prior(areas: Iterable[Effective | None]) -> Prior:
    """A beta prior from the forces' effective counts by the method of moments."""
    return prior_from(sum((Moments.of(e) for e in areas), Moments()))


def prior_from(m: Moments) -> Prior:
    """mu = K / N; S = sum n (k/n - mu)^2 = sum k^2/n - K^2/N; for a beta-binomial E[S] =
    mu(1 - mu) [(F - 1)(1 - rho) + rho (N - sum n^2 / N)] with rho = 1 / (a + b + 1), so rho is
    read off S. The strength a + b = 1/rho - 1 is kept between 1 and MAX_POOL_STRENGTH, and at
    most the forces' effective answers in all."""
    if m.forces < MIN_FORCES_TO_POOL or m.n <= 0:
        return NO_POOL
    mu = m.k / m.n
    if not 1e-6 < mu < 1 - 1e-6:
        return NO_POOL
    spread = max(0.0, m.kk_n - m.k * m.k / m.n)
    denominator = m.n - m.nn / m.n - (m.forces - 1)
    rho = (spread / (mu * (1 - mu)) - (m.forces - 1)) / denominator if denominator > 0 else 0.0
    # Never worth more answers than the forces gave, however alike they look.
    ceiling = min(MAX_POOL_STRENGTH, m.n)
    strength = min(ceiling, max(1.0, 1 / rho - 1 if rho > 0 else ceiling))
    return Prior(mu * strength, (1 - mu) * strength, fitted=True)


def fit_priors(areas: Mapping[str, Effective | None]) -> dict[str, Prior]:
    """Each area's pool, fitted from the other areas (leave one out): a force's own answers
    are not counted twice, once as its own and again through the pool."""
    own = {code: Moments.of(e) for code, e in areas.items()}
    everyone = sum(own.values(), Moments())
    return {code: prior_from(everyone - mine) for code, mine in own.items()}


@dataclass(frozen=True)
class Share:
    """The recording share of one area and part: the posterior given its entries and the pool."""

    estimate: float  # posterior mean
    low: float
    high: float
    direct: Effective
    prior: Prior
    alpha: float  # posterior Beta(alpha, beta)
    beta: float

    @property
    def pool_weight(self) -> float:
        """How much of the estimate comes from the pool rather than the area's own entries."""
        return self.prior.strength / (self.prior.strength + self.direct.n) if self.prior.fitted else 0.0


def share(direct: Effective | None, prior: Prior) -> Share | None:
    if direct is None:
        return None
    alpha, beta = prior.alpha + direct.k, prior.beta + direct.n - direct.k
    low, high = betaincinv(alpha, beta, [LOWER, UPPER])
    return Share(alpha / (alpha + beta), float(low), float(high), direct, prior, alpha, beta)


@dataclass(frozen=True)
class Implied:
    """The true number an official count implies, with its interval and the "don't know" band."""

    total: float
    low: float
    high: float
    band: tuple[float, float]  # every "don't know" a yes, then a no
    official: int

    @property
    def not_in_official(self) -> float:
        return self.total - self.official


def chapman(official: int, k: float, n: float) -> float:
    """Chapman's estimator (M + 1)(n + 1)/(k + 1) - 1: official / (k/n) without its small-sample bias."""
    return (official + 1) * (n + 1) / (k + 1) - 1


def implied(official: int, s: Share) -> Implied:
    """Chapman's estimate at the area's effective counts, with the pool's pseudo-counts where
    it borrows from the pool (they are other forces' answers; Jeffreys' halves are not, so they
    are left out). The interval is official / p at the posterior's 97.5% and 2.5% points of p
    (the true number is official / p exactly, where p is the share recorded); Chapman's formula
    cannot exceed (M + 1)(n + 1), so it would make a small sample's interval look narrower
    than it is. Where every answer is yes Chapman gives M itself, a hair below the interval's
    lower end: the point is kept within its interval."""
    k0, n0 = (s.prior.alpha, s.prior.strength) if s.prior.fitted else (0.0, 0.0)
    n = n0 + s.direct.n
    low, high = official / s.high, official / s.low
    point = min(high, max(low, chapman(official, k0 + s.direct.k, n)))
    band_low, band_high = (chapman(official, k0 + p * s.direct.n, n) for p in reversed(s.direct.band))
    return Implied(point, low, high, (band_low, band_high), official)


def implied_sum(parts: list[tuple[int, Share]], seed: str) -> Implied:
    """The sum of several parts' estimates; its interval by simulation from their posteriors
    (each part's share drawn from its Beta, official / share, summed), with a fixed seed so
    that a recompute gives the same numbers."""
    rng = np.random.default_rng(zlib.crc32(seed.encode()))
    draws = np.zeros(DRAWS)
    for official, s in parts:
        draws += official / rng.beta(s.alpha, s.beta, DRAWS)
    singles = [implied(official, s) for official, s in parts]
    low, high = (float(x) for x in np.quantile(draws, [LOWER, UPPER]))
    return Implied(
        min(high, max(low, sum(i.total for i in singles))),
        low,
        high,
        (sum(i.band[0] for i in singles), sum(i.band[1] for i in singles)),
        sum(official for official, _ in parts),
    )


@dataclass(frozen=True)
class CheckAnswers:
    """What a recording check found, by the officer's answer to "recorded as a crime?":
    (answered by the registrar, counted in 8S or 104 in the year) for "yes", "no", and
    "unknown" (don't know, or not answered)."""

    yes: tuple[int, int] = (0, 0)
    no: tuple[int, int] = (0, 0)
    unknown: tuple[int, int] = (0, 0)

    @property
    def answered(self) -> int:
        return self.yes[0] + self.no[0] + self.unknown[0]

    @property
    def counted(self) -> int:
        return self.yes[1] + self.no[1] + self.unknown[1]

    def rates(self) -> tuple[float, float, float | None]:
        """The verified rates: counted / answered for each answer checked; where none was,
        the officer's word (yes 1, no 0) and, for unknown, None (as the others, section 8.11)."""
        yes, no, unknown = (counted / answered if answered else None for answered, counted in self.strata)
        return (1.0 if yes is None else yes), (0.0 if no is None else no), unknown

    def draws(self, rng: np.random.Generator, size: int) -> tuple[Rate, Rate, Rate | None]:
        """The rates drawn from their posteriors, Beta(counted + 1/2, answered - counted + 1/2)
        (Jeffreys' prior), for the answers checked; the point rates for the others."""
        yes, no, unknown = self.rates()

        def drawn(stratum: tuple[int, int], point: float) -> Rate:
            answered, counted = stratum
            return rng.beta(counted + JEFFREYS, answered - counted + JEFFREYS, size) if answered else point

        return drawn(self.yes, yes), drawn(self.no, no), drawn(self.unknown, 0.0) if unknown is not None else None

    @property
    def strata(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        return self.yes, self.no, self.unknown


Rate = float | np.ndarray


def correction(s: Sums, yes: Rate, no: Rate, unknown: Rate | None) -> Rate | None:
    """The factor that turns the officers' share into the verified one, for one part's counts.

    The officers' share is p = (r/n) y/(y+m): n p = y + u b with u = r - y - m the reported
    entries whose recording is unknown and b = y / (y + m). Verified, with v the rates counted
    by answer, n p* = y v_yes + m v_no + u v_unknown, and where no unknown was checked they are
    missing at random among the rest, v_unknown = (y v_yes + m v_no) / (y + m). So
    p* / p = (y v_yes + m v_no + u v_unknown)(y + m) / (y r). None where no entry says
    recorded (y = 0): the officers' share is then the pool's, with nothing of its own to correct.
    """
    q = s.y + s.m
    if s.y == 0 or q == 0:
        return None
    u = s.r - q
    if unknown is None:
        unknown = (s.y * yes + s.m * no) / q
    return (s.y * yes + s.m * no + u * unknown) * q / (s.y * s.r)


def verified_implied(parts: list[tuple[int, Share, Sums]], check: CheckAnswers, seed: str) -> Implied:
    """The true number with the officers' share corrected by a recording check (section 8.11).

    The point is Chapman's estimate with the effective recorded count (and the pool's) times
    the factor at the verified rates; the interval is simulated: each part's share drawn from
    its posterior times the factor at rates drawn from theirs (one draw of the rates for all
    parts: they share the check), official / (share x factor) summed, at most 1 as a share.
    Where every "yes" checked was counted and nothing else was checked the factor is 1: the
    point is the officers' own and the interval widens by the check's own sampling error."""
    rng = np.random.default_rng(zlib.crc32(f"{seed}:verified".encode()))
    drawn_rates = check.draws(rng, VERIFIED_DRAWS)
    point_rates = check.rates()
    draws = np.zeros(VERIFIED_DRAWS)
    total = 0.0
    for official, s, sums in parts:
        factor = correction(sums, *point_rates)
        factor_draws = correction(sums, *drawn_rates)
        factor = 1.0 if factor is None else float(factor)
        factor_draws = 1.0 if factor_draws is None else factor_draws
        shares = np.clip(rng.beta(s.alpha, s.beta, VERIFIED_DRAWS) * factor_draws, 1e-9, 1.0)
        draws += official / shares
        k0, n0 = (s.prior.alpha, s.prior.strength) if s.prior.fitted else (0.0, 0.0)
        n = n0 + s.direct.n
        total += chapman(official, min(n, factor * (k0 + s.direct.k)), n)
    low, high = (float(x) for x in np.quantile(draws, [LOWER, UPPER]))
    point = min(high, max(low, total))
    return Implied(point, low, high, (point, point), sum(official for official, _, _ in parts))


def official_share(estimate: Implied) -> tuple[float, float, float] | None:
    """The share of the estimated true number in the official count: M / N, with its interval."""
    if estimate.total <= 0 or estimate.low <= 0:
        return None
    return estimate.official / estimate.total, estimate.official / estimate.high, estimate.official / estimate.low


def per_thousand(count: float | None, officers: float | None) -> float | None:
    if count is None or not officers:
        return None
    return count * 1000 / officers


def sums_from(row: Mapping[str, int], prefix: str) -> Sums:
    """A Sums from a row of estimate_sums, whose columns are named prefix + field."""
    return Sums(*(int(row.get(prefix + name) or 0) for name in SUMS_FIELDS))


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
