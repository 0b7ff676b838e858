"""The Report: meta, tidy cells and sections of one annual report, and :func:`load`."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from . import readers
from .document import Document
from .errors import NotAReportError
from .extract import Extraction, extract, layout
from .identify import evidence
from .meta import ReportMeta, extract_meta
from .sections import split_sections

CELL_COLUMNS = ["report_id", "table", "row", "col", "value", "raw", "status", "unit", "source", "how"]
CELL_SCHEMA = pa.schema([(c, pa.float64() if c == "value" else pa.string()) for c in CELL_COLUMNS])


class Report:
    """One report as read: ``meta`` (dict), ``cells`` (one row per table cell), ``sections``.

    ``cells`` may be given as columns (lists by CELL_COLUMNS name): the DataFrame is then made on first
    use, and a batch that only checks the report and writes Parquet never pays for it."""

    def __init__(self, meta: ReportMeta, cells: pd.DataFrame | dict[str, list], sections: dict[str, dict[str, str]],
                 document: Document | None = None, extraction: Extraction | None = None) -> None:
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


def truncated(doc: Document, sections: dict) -> bool:
    """Whether the input stops early: a cut mark inside it, or a dump that ends before sections 五 and 六."""
    if any(b.kind == "cut" for b in doc.blocks[:-1]):
        return True
    return bool(doc.blocks) and doc.blocks[-1].kind == "cut" and not {"五", "六"} & set(sections)


NOT_A_REPORT = ("不是政府信息公开工作年度报告：没有年报标题、没有年报的章节标题、没有表格（表二、表三、表四），"
                "正文也没有年报用语（可能是放错的文件或其他文件）")


def build(doc: Document, data: bytes, source: str) -> Report:
    """Turn a document read from ``source`` (with the file's bytes) into a Report.

    Raises :class:`~audit_kit.errors.NotAReportError` when the document shows nothing of a report
    (:mod:`audit_kit.identify`); a report whose tables cannot be read loads, and F-3 fails."""
    sha = hashlib.sha256(data).hexdigest()
    report_id = sha[:16]
    ex = extract(doc)
    meta: ReportMeta = {"report_id": report_id, "source": source, "sha256": sha, "reader": doc.reader}
    meta.update(extract_meta(doc))
    meta["template"] = ex.template
    meta["notes"] = [*doc.notes, *ex.notes]
    if doc.evidence:  # OCR'd pages: per-cell evidence, and a note for each cell read with low confidence
        from .readers.ocr import ocr_meta

        meta["ocr"], unsure = ocr_meta(doc, ex.cells)
        meta["notes"] += unsure
    meta["layout"] = layout(ex)
    sections = split_sections(doc)
    if evidence(doc, meta, sections, len(ex.cells)) is None:
        raise NotAReportError(source, "；".join([NOT_A_REPORT, *doc.notes[:2]]))
    meta["truncated"] = truncated(doc, sections)
    columns = {"report_id": [report_id] * len(ex.cells), **{name: [c[name] for c in ex.cells] for name in CELL_COLUMNS[1:]}}
    columns["value"] = [math.nan if v is None else float(v) for v in columns["value"]]
    return Report(meta, columns, sections, doc, ex)


def load(path: str | Path) -> Report:
    """Read any supported report file. Raises an :class:`~audit_kit.errors.AuditKitError` subclass that
    names the file and the reason when the file cannot be read."""
    doc, data = readers.read(path)
    return build(doc, data, str(path))
