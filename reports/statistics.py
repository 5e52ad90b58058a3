"""The comparison method (DOMAIN.md), with the standard library only.

p = recorded yes / (recorded yes + recorded no): the share of logged assaults
that reached the official count (police recorded crime). Its 95% interval is
Wilson's, or the exact Clopper-Pearson interval where counts are small. The
implied true number is official / p, with the interval official / p_high to
official / p_low. These intervals cover sampling error only: the app's users
are self-selected, which no interval can fix.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95
# Fewer answered entries than this and we say "cannot estimate".
MIN_ANSWERED = 5
# Below these counts the normal approximation behind Wilson is poor: use the exact interval.
EXACT_BELOW_N = 30
EXACT_BELOW_K = 5


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Share:
    """A proportion k/n with its interval and the method that gave it."""

    k: int
    n: int
    estimate: float
    interval: Interval
    method: str  # "wilson" or "clopper-pearson"


@dataclass(frozen=True)
class Implied:
    """The true number implied by an official count and the recorded share."""

    total: float
    low: float
    high: float
    hidden: float


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> Interval:
    """Wilson score interval for k successes in n trials."""
    _check(k, n)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def _binomial_cdf(k: int, n: int) -> Callable[[float], float]:
    """p -> P(X <= k) for X ~ Binomial(n, p), summed in log space over the shorter tail.

    The exact interval is used only when k or n - k is small, so either tail is at most
    a few dozen terms, whatever n is. The log binomial coefficients do not depend on p:
    they are worked out once, not at every step of the bisection.
    """
    lower_tail = k + 1 <= n - k
    indices = range(k + 1) if lower_tail else range(k + 1, n + 1)
    log_n = math.lgamma(n + 1)
    terms = [(i, n - i, log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1)) for i in indices]

    def cdf(p: float) -> float:
        if k < 0 or p >= 1.0:
            return 0.0 if k < n else 1.0
        if k >= n or p <= 0.0:
            return 1.0
        log_p, log_q = math.log(p), math.log1p(-p)
        logs = [coefficient + i * log_p + rest * log_q for i, rest, coefficient in terms]
        top = max(logs)
        mass = min(1.0, math.exp(top) * sum(math.exp(value - top) for value in logs))
        return mass if lower_tail else max(0.0, 1.0 - mass)

    return cdf


def _solve(f: Callable[[float], float], target: float, low: float, high: float) -> float:
    """The p in [low, high] where the monotone f(p) equals target: regula falsi with the
    Illinois correction, which keeps the bracket (so it cannot fail) and converges in a
    dozen steps where bisection needs forty."""
    f_low, f_high = f(low) - target, f(high) - target
    if f_low == 0:
        return low
    if f_high == 0:
        return high
    side = 0
    for _ in range(100):
        p = (low * f_high - high * f_low) / (f_high - f_low)
        f_p = f(p) - target
        if abs(f_p) < 1e-15 or high - low < 1e-13:
            break
        if (f_p > 0) == (f_high > 0):
            high, f_high = p, f_p
            if side == -1:
                f_low /= 2
            side = -1
        else:
            low, f_low = p, f_p
            if side == 1:
                f_high /= 2
            side = 1
    return p


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> Interval:
    """The exact (Clopper-Pearson) interval, solved on the binomial CDF."""
    _check(k, n)
    alpha = 1 - confidence
    # Lower bound: the p at which P(X >= k) = alpha/2, i.e. 1 - cdf(k-1) = alpha/2.
    # Each bound lies on its own side of the estimate k/n.
    below = _binomial_cdf(k - 1, n)
    low = 0.0 if k == 0 else _solve(lambda p: 1 - below(p), alpha / 2, 0.0, k / n)
    # Upper bound: the p at which P(X <= k) = alpha/2.
    at_most = _binomial_cdf(k, n)
    high = 1.0 if k == n else _solve(at_most, alpha / 2, k / n, 1.0)
    return Interval(low, high)


def share(k: int, n: int) -> Share | None:
    """The recorded share with its interval, or None when it cannot be estimated."""
    if n < MIN_ANSWERED:
        return None
    exact = n < EXACT_BELOW_N or k < EXACT_BELOW_K or n - k < EXACT_BELOW_K
    interval = clopper_pearson(k, n) if exact else wilson(k, n)
    return Share(k, n, k / n, interval, "clopper-pearson" if exact else "wilson")


def sensitivity_band(yes: int, no: int, dont_know: int) -> Interval | None:
    """The range p takes if every "don't know" were a no, or every one a yes."""
    n = yes + no + dont_know
    if n < MIN_ANSWERED:
        return None
    return Interval(yes / n, (yes + dont_know) / n)


def implied_total(official: int | None, recorded: Share | None) -> Implied | None:
    """official / p with its interval; None when p is zero or cannot be estimated."""
    if official is None or recorded is None or recorded.estimate <= 0 or recorded.interval.low <= 0:
        return None
    total = official / recorded.estimate
    return Implied(
        total=total,
        low=official / recorded.interval.high,
        high=official / recorded.interval.low,
        hidden=total - official,
    )


def per_thousand(count: float | None, officers: float | None) -> float | None:
    if count is None or not officers:
        return None
    return count * 1000 / officers


def _check(k: int, n: int) -> None:
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
