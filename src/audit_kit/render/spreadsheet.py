"""CSV that is safe to open in Excel or WPS: no cell of report text can run as a formula.

The rule (OWASP, "CSV injection"): a text value that starts with ``=``, ``+``, ``-``, ``@``, a tab, a
carriage return or a line feed gets a ``'`` in front, so the spreadsheet shows it as text. Values of
numeric columns are left alone, and so is a text value that is a plain number (``-3``, ``+1.5``, ``2e3``):
a spreadsheet reads those as numbers, never as formulas. Every other character is left as it is; the CSV
writer quotes commas, quotes and line breaks.

CSVs meant for spreadsheets (a batch's) are written as UTF-8 with a BOM so Chinese opens right in Excel.
The package itself never reads these CSVs back: it reads the Parquet files beside them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TRIGGERS = "=+-@\t\r\n"
_TRIGGER = "^[=+\\-@\\t\\r\\n]"
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER_RE = re.compile(_NUMBER)
BOM = "\ufeff"


def neutralise(value: object) -> object:
    """``value`` with a ``'`` in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value and value[0] in TRIGGERS and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are neutralised (numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise)
    return out


def safe_table(table: pa.Table) -> pa.Table:
    """An Arrow table whose string columns are neutralised (vectorised; other columns untouched)."""
    for i, field in enumerate(table.schema):
        if not pa.types.is_string(field.type) and not pa.types.is_large_string(field.type):
            continue
        col = table.column(i)
        risky = pc.and_(pc.match_substring_regex(col, _TRIGGER), pc.invert(pc.match_substring_regex(col, _NUMBER)))
        fixed = pc.if_else(risky, pc.utf8_replace_slice(col, start=0, stop=0, replacement="'"), col)
        table = table.set_column(i, field, fixed)
    return table


def write_csv(frame: pd.DataFrame, dst: str | Path | IO[str], bom: bool = True) -> None:
    """Write ``frame`` as a neutralised CSV: to a path (UTF-8, with a BOM unless ``bom`` is False) or to an
    open text stream such as stdout (no BOM)."""
    safe = safe_frame(frame)
    if isinstance(dst, str | Path):
        safe.to_csv(dst, index=False, encoding="utf-8-sig" if bom else "utf-8")
    else:
        safe.to_csv(dst, index=False)


# The characters openpyxl refuses in a cell (XML 1.0 forbids them): shown visibly instead, e.g. ⟨U+001B⟩.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def visible_controls(text: str) -> str:
    """``text`` with every control character a workbook cannot hold shown as ⟨U+XXXX⟩."""
    return _ILLEGAL.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def cell_text(text: str) -> str:
    """Text as a workbook cell holds it: control characters visible, a formula-like start neutralised, and a
    text that already starts with ``'`` given one more, so :func:`cell_value` gives exactly ``text`` back."""
    text = visible_controls(text)
    return "'" + text if text.startswith("'") else str(neutralise(text))


def cell_value(text: str) -> str:
    """The text :func:`cell_text` was given (its control characters left visible)."""
    return text[1:] if text.startswith("'") and text[1:2] and (text[1] in TRIGGERS or text[1] == "'") else text
