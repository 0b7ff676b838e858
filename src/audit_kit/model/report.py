"""The Report: meta, tidy cells and sections of one annual report (``extract/loader.py`` makes one)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa

from .document import Document

CELL_COLUMNS = ["report_id", "table", "row", "col", "value", "raw", "status", "unit", "source", "how"]
CELL_SCHEMA = pa.schema([(c, pa.float64() if c == "value" else pa.string()) for c in CELL_COLUMNS])


class ReportMeta(TypedDict, total=False):
    """``report.meta``: the keys docs/interfaces.md §3 fixes, then the ones the readers and checks add. A light copy
    for the cross-year checks (``checks.years.light``) holds some of them and ``tables_read``."""

    report_id: str  # stable: from the source bytes
    source: str  # the path read
    sha256: str
    reader: str  # text, html, docx, pdf, …
    agency: str | None
    level: str | None  # government, department, township
    report_year: int | None
    template: str | None  # 2019, 2021, mixed
    title: str | None
    period: tuple[dt.date, dt.date] | None  # 统计期限
    published: dt.date | None
    url: str | None  # where a web page says it lives (its canonical link), for the memo's 来源
    notes: list[str]  # what the reader could not read for certain, in Chinese
    year_source: str | None  # where the year was read: title, period, text
    title_source: str | None
    layout: dict[str, Any]  # the printed layout the checks read (extract.layout)
    truncated: bool  # the input stops early
    ocr: dict[str, Any]  # per-cell evidence of OCR'd pages (readers.ocr.ocr_meta)
    tables_read: list[str]  # light copies only: the tables any cell was read of


class Report:
    """One report as read: ``meta`` (dict), ``cells`` (one row per table cell), ``sections``.

    ``cells`` may be given as columns (lists by CELL_COLUMNS name): the DataFrame is then made on first
    use, and a batch that only checks the report and writes Parquet never pays for it."""

    def __init__(self, meta: ReportMeta, cells: pd.DataFrame | dict[str, list], sections: dict[str, dict[str, str]],
                 document: Document | None = None, extraction: Any = None) -> None:
        self.meta = meta
        self.sections = sections
        self.document = document
        self.extraction = extraction
        self._frame = cells if isinstance(cells, pd.DataFrame) else None
        self._columns = None if isinstance(cells, pd.DataFrame) else cells
        self._table: pa.Table | None = None

    @property
    def cells(self) -> pd.DataFrame:
        if self._frame is None:
            assert self._columns is not None  # one of the two is always there
            columns = {**self._columns, "value": np.asarray(self._columns["value"], dtype=float)}
            self._frame = pd.DataFrame(columns, columns=CELL_COLUMNS)
            self._columns = self._table = None  # the frame may be changed from now on
        return self._frame

    @cells.setter
    def cells(self, frame: pd.DataFrame) -> None:
        self._frame, self._columns, self._table = frame, None, None

    def columns(self) -> dict[str, list] | None:
        """The cells as columns, while no DataFrame has been made of them (else None)."""
        return self._columns

    def cells_table(self) -> pa.Table:
        """The cells as an Arrow table (from the columns when no DataFrame was made)."""
        if self._columns is not None:
            if self._table is None:
                self._table = pa.table({c: self._columns[c] for c in CELL_COLUMNS}, schema=CELL_SCHEMA)
            return self._table
        return pa.Table.from_pandas(self.cells[CELL_COLUMNS], schema=CELL_SCHEMA, preserve_index=False)

    def __repr__(self) -> str:
        return f"Report({self.meta.get('report_id')!r}, {self.meta.get('agency')!r}, {self.meta.get('report_year')!r})"

    @property
    def report_id(self) -> str:
        return self.meta["report_id"]

    def summary(self) -> str:
        """One line in Chinese: agency, year, template, cells read."""
        m = self.meta
        counts = self.cells["status"].value_counts().to_dict()
        return (f"{m.get('agency') or '（机关名称未识别）'} {m.get('report_year') or '?'} 年度 · "
                f"模板 {m.get('template') or '未识别'} · 读到 {len(self.cells)} 格"
                f"（数字 {counts.get('number', 0)}，空白 {counts.get('blank', 0)}，文字 {counts.get('text', 0)}）"
                f" · {m.get('reader')}")
