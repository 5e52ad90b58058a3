"""Charts drawn on the server as SVG: no JavaScript, no inline style (the CSP allows
neither), and every chart sits beside a table with the same numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 16, 52
# Large enough to read when a phone scales the 640-unit chart down to its width.
FONT = 15
LEGEND_STEP = 210
# A legend key: its swatch and the gap before its words; the words' width is estimated from
# their length (an average glyph of DejaVu Sans, the fallback font, is about 0.6 em).
LEGEND_SWATCH, LEGEND_GAP, GLYPH_EM = 30, 16, 0.6
# Colour-blind-safe (Okabe-Ito), each also drawn with its own dash and marker shape. The
# labels (the legend) are in the page's language, as is all a chart's text.
SERIES: dict[str, tuple[str, str, str | Promise]] = {
    "logged": ("#0072B2", "", gettext_lazy("Logged in Assault Log")),
    "officers": ("#CC79A7", "1 3", gettext_lazy("Officers who logged")),
    "official": ("#D55E00", "6 4", gettext_lazy("Official figure")),
    "implied": ("#009E73", "2 3", gettext_lazy("Estimated true number")),
}


MARKERS = {
    "logged": '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
    "officers": '<circle cx="{}" cy="{}" r="3" fill="{}"/>',
    "official": '<rect x="{}" y="{}" width="8" height="8" fill="{}" transform="translate(-4 -4)"/>',
    "implied": '<path d="M {} {} l 5 5 l -10 0 z" fill="{}" transform="translate(0 -3)"/>',
}


@dataclass(frozen=True)
class TrendPoint:
    label: str
    logged: float | None
    official: float | None
    implied: float | None
    implied_low: float | None = None
    implied_high: float | None = None
    officers: float | None = None


def _nice_max(value: float) -> float:
    """The top of the axis: a round number whose quarters (the grid lines) are whole numbers."""
    if value <= 0:
        return 4
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            top = step * magnitude
            return top if top % 4 == 0 or top >= 100 else math.ceil(top / 4) * 4
    return 10 * magnitude


def trend_chart(
    points: Sequence[TrendPoint],
    *,
    series: Sequence[str],
    title: str,
    chart_id: str,
    height: int = HEIGHT,
) -> SafeString:
    """Lines per year for the given series, each panel on its own scale (the entries logged are
    tens where the official figures are thousands), the estimate's interval as whiskers."""
    shown = {name: SERIES[name] for name in series}
    fields = [*shown, *(["implied_high"] if "implied" in shown else [])]
    values = [getattr(p, name) for p in points for name in fields if getattr(p, name) is not None]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    # format_html escapes every argument to text, so coordinates are formatted here.
    def x(i: int) -> str:
        return f"{LEFT + (i * step if len(points) > 1 else plot_w / 2):.1f}"

    def y(v: float) -> str:
        return f"{TOP + plot_h - (v / top) * plot_h:.1f}"

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d0d5da" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="#333">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                y(top * f),
                y(top * f),
                LEFT - 6,
                f"{float(y(top * f)) + 5:.1f}",
                FONT,
                f"{top * f:,.0f}",
            )
            for f in (0, 0.25, 0.5, 0.75, 1)
        ),
    )
    # Every year labelled up to 6 years, then every other one (counted from the latest).
    every = 1 if len(points) <= 6 else 2
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="#333">{}</text>',
        (
            (x(i), height - BOTTOM + 20, FONT, p.label)
            for i, p in enumerate(points)
            if (len(points) - 1 - i) % every == 0
        ),
    )
    whiskers = format_html_join(
        "",
        '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="2"/>',
        (
            (x(i), y(p.implied_low), y(p.implied_high), SERIES["implied"][0])
            for i, p in enumerate(points)
            if "implied" in shown and p.implied_low is not None and p.implied_high is not None
        ),
    )
    lines = []
    for name, (colour, dash, _label) in shown.items():
        coords = [(x(i), y(getattr(p, name))) for i, p in enumerate(points) if getattr(p, name) is not None]
        # A year without a value (none, or hidden) breaks the line: it is not drawn across.
        runs: list[list[tuple[str, str]]] = [[]]
        for i, p in enumerate(points):
            if getattr(p, name) is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(getattr(p, name))))
        for run in runs:
            if len(run) < 2:
                continue
            lines.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"/>',
                    " ".join(f"{cx},{cy}" for cx, cy in run),
                    colour,
                    dash or "none",
                )
            )
        marker = MARKERS[name]
        lines.append(format_html_join("", marker, ((cx, cy, colour) for cx, cy in coords)))
    if not values:
        lines.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="#333">{}</text>',
                WIDTH // 2,
                TOP + plot_h // 2,
                FONT,
                _("Nothing to draw: no counts, or only counts under 5, which are hidden."),
            )
        )
    keys = [(colour, dash or "none", str(label)) for colour, dash, label in shown.values()]
    if "implied" in shown:
        # xgettext:no-python-format
        keys.append((SERIES["implied"][0], "whisker", _("95% interval")))
    xs, font = legend_layout([label for _colour, _dash, label in keys])
    legend = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{3}" stroke="{4}" stroke-width="2.5" stroke-dasharray="{5}"/>'
        '<text x="{6}" y="{7}" font-size="{8}" fill="#333">{9}</text>',
        (
            (
                x + (12 if dash == "whisker" else 0),
                x + (12 if dash == "whisker" else 24),
                height - (20 if dash == "whisker" else 14),
                height - (6 if dash == "whisker" else 14),
                colour,
                "none" if dash == "whisker" else dash,
                x + 30,
                height - 8,
                font,
                label,
            )
            for x, (colour, dash, label) in zip(xs, keys, strict=True)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" focusable="false">'
        '<title id="{}-title">{}</title>{}{}{}{}{}{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        title,
        grid,
        labels,
        whiskers,
        format_html_join("", "{}", ((line,) for line in lines)),
        legend,
        "",
    )


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, chart_id: str) -> SafeString:
    """Horizontal bars for a breakdown (label, count)."""
    height = 28 * len(rows) + 8
    top = max((count for _, count in rows), default=0) or 1
    bars = format_html_join(
        "",
        '<text x="0" y="{0}" font-size="12" fill="#333">{1}</text>'
        '<rect x="180" y="{2}" width="{3}" height="18" fill="#0072B2"/>'
        '<text x="{4}" y="{0}" font-size="12" fill="#333">{5}</text>',
        (
            (i * 28 + 20, label, i * 28 + 6, f"{380 * count / top:.1f}", f"{186 + 380 * count / top:.1f}", f"{count:,}")
            for i, (label, count) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 640 {}" role="img" aria-labelledby="{}-title" focusable="false">'
        '<title id="{}-title">{}</title>{}</svg>',
        height,
        chart_id,
        chart_id,
        title,
        bars,
    )


def legend_layout(labels: list[str]) -> tuple[list[float], float]:
    """Where each legend key starts, and the words' font size. Keys a fixed step apart while
    their words fit the step (English); else side by side from the chart's left edge, and
    smaller if they still do not fit, so that longer words (Welsh runs longer) never overlap."""
    widths = [LEGEND_SWATCH + len(label) * FONT * GLYPH_EM for label in labels]
    if all(width + LEGEND_GAP <= LEGEND_STEP for width in widths[:-1]) and (
        LEFT + LEGEND_STEP * (len(widths) - 1) + (widths[-1] if widths else 0) <= WIDTH
    ):
        return [LEFT + i * LEGEND_STEP for i in range(len(widths))], FONT
    start = 8
    total = sum(widths) + LEGEND_GAP * (len(widths) - 1)
    scale = min(1.0, (WIDTH - start) / total)
    xs, x = [], float(start)
    for width in widths:
        xs.append(round(x, 1))
        x += (width + LEGEND_GAP) * scale
    return xs, round(FONT * scale, 1)
