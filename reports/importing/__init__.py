"""Reading official figures from the files users bring (DOMAIN.md, "machine-readable sources").

``parse_official_file`` takes the bytes of a CSV, XLSX or ODS file (or CSV text) and returns
what it holds: figures or officer strength, each problem with its sheet, line and column, and
notes for the import summary (partial years not imported, England and Wales derived from the
forces and checked against a published total). Parsing never writes; the caller imports
nothing from a file with any problem (reports.services.official_figures_import).
"""

from __future__ import annotations

from reports.importing.formats import FORMATS, PRC, SIMPLE, STRENGTH, WORKFORCE, Format, unrecognised_header
from reports.importing.parsers import NOT_READABLE, parse_official_file
from reports.importing.rows import FigureRow, ForceNames, ParsedFile, Problem, StrengthRow

__all__ = [
    "FORMATS",
    "NOT_READABLE",
    "PRC",
    "SIMPLE",
    "STRENGTH",
    "WORKFORCE",
    "FigureRow",
    "ForceNames",
    "Format",
    "ParsedFile",
    "Problem",
    "StrengthRow",
    "parse_official_file",
    "unrecognised_header",
]
