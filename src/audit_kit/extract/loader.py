"""A document read from a file turned into a Report: cells, meta, sections; and :func:`load`."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from .. import readers
from ..config import Config
from ..errors import NotAReportError
from ..model.document import Document
from ..model.report import CELL_COLUMNS, Report, ReportMeta
from .cells import extract, layout
from .identify import evidence
from .meta import extract_meta
from .sections import split_sections


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
    (:mod:`audit_kit.extract.identify`); a report whose tables cannot be read loads, and F-3 fails."""
    sha = hashlib.sha256(data).hexdigest()
    report_id = sha[:16]
    ex = extract(doc)
    meta: ReportMeta = {"report_id": report_id, "source": source, "sha256": sha, "reader": doc.reader}
    meta.update(extract_meta(doc))
    meta["template"] = ex.template
    meta["notes"] = [*doc.notes, *ex.notes]
    if doc.evidence:  # OCR'd pages: per-cell evidence, and a note for each cell read with low confidence
        from ..readers.ocr.pages import ocr_meta

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


def load(path: str | Path, config: Config | None = None) -> Report:
    """Read any supported report file (size limits and OCR cache of ``config``, else of the environment).
    Raises an :class:`~audit_kit.errors.AuditKitError` subclass that names the file and the reason when the
    file cannot be read."""
    doc, data = readers.read(path, config)
    return build(doc, data, str(path))
