"""The file formats the importer knows, recognised by the columns of their header."""

from __future__ import annotations

from dataclasses import dataclass

PRC = "Home Office police recorded crime open data"
WORKFORCE = "Home Office police workforce open data"
SIMPLE = "Simple sheet of figures"
STRENGTH = "Officer strength sheet"

# A simple sheet's count columns: any of these (a column name may go on: "with injury 8S").
COUNT_PREFIXES = ("with injury", "without injury", "total")


@dataclass(frozen=True)
class Format:
    kind: str
    required: tuple[str, ...]  # header names as matched (sheets.normal)
    shown: tuple[str, ...]  # the same, as the tables write them

    def missing(self, columns: set[str]) -> list[str]:
        return [shown for name, shown in zip(self.required, self.shown, strict=True) if name not in columns]

    def matches(self, columns: set[str]) -> bool:
        if self.kind == SIMPLE:
            return "financial year" in columns and any(name.startswith(COUNT_PREFIXES) for name in columns)
        return not self.missing(columns)


FORMATS = (
    Format(
        PRC,
        ("financial year", "financial quarter", "force name", "offence code", "number of offences"),
        ("Financial Year", "Financial Quarter", "Force Name", "Offence Code", "Number of Offences"),
    ),
    Format(
        WORKFORCE,
        ("as at 31 march", "force name", "worker type", "total fte"),
        ("As at 31 March", "Force name", "Worker type", "Total (FTE)"),
    ),
    Format(STRENGTH, ("code", "as at", "officers fte"), ("code", "as_at", "officers_fte")),
    Format(SIMPLE, ("financial year", "total"), ("financial year", "with injury, without injury or total")),
)


def recognise(columns: set[str]) -> Format | None:
    return next((known for known in FORMATS if known.matches(columns)), None)


def unrecognised_header(columns: set[str]) -> str:
    """What each known format expects, and which of its columns this header lacks."""
    parts = []
    for known in FORMATS:
        if known.kind == SIMPLE:
            lacking = [] if "financial year" in columns else ["financial year"]
            if not any(name.startswith(COUNT_PREFIXES) for name in columns):
                lacking.append("with injury, without injury or total")
            expected = "force (or code), financial year, with injury, without injury, total"
        else:
            lacking = known.missing(columns)
            expected = ", ".join(known.shown)
        parts.append(f"{known.kind}: {expected} (missing: {', '.join(lacking)})")
    return "the header matches none of the known formats. " + "; ".join(parts) + "."


def header_score(columns: set[str]) -> int:
    """How many of some format's columns a row has: the likeliest header among the top rows."""
    return max(len(set(known.required) & columns) for known in FORMATS)
