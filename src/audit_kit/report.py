"""The Report: meta, tidy cells and sections of one annual report, and :func:`load`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import readers
from .document import Document
from .extract import Extraction, extract, layout
from .meta import extract_meta
from .sections import split_sections

CELL_COLUMNS = ["report_id", "table", "row", "col", "value", "raw", "status", "unit", "source"]


@dataclass
class Report:
    """One report as read: ``meta`` (dict), ``cells`` (one row per table cell), ``sections``."""

    meta: dict
    cells: pd.DataFrame
    sections: dict[str, dict[str, str]]
    document: Document | None = field(default=None, repr=False)
    extraction: Extraction | None = field(default=None, repr=False)

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


def build(doc: Document, data: bytes, source: str) -> Report:
    """Turn a document read from ``source`` (with the file's bytes) into a Report."""
    sha = hashlib.sha256(data).hexdigest()
    report_id = sha[:16]
    ex = extract(doc)
    meta = {"report_id": report_id, "source": source, "sha256": sha, "reader": doc.reader}
    meta.update(extract_meta(doc))
    meta["template"] = ex.template
    meta["notes"] = [*doc.notes, *ex.notes]
    meta["layout"] = layout(ex)
    sections = split_sections(doc)
    meta["truncated"] = truncated(doc, sections)
    columns = {name: [c[name] for c in ex.cells] for name in CELL_COLUMNS[1:]}
    cells = pd.DataFrame({"report_id": [report_id] * len(ex.cells), **columns}, columns=CELL_COLUMNS)
    cells["value"] = cells["value"].astype(float)
    return Report(meta, cells, sections, doc, ex)


def load(path: str | Path) -> Report:
    """Read any supported report file. Raises an :class:`~audit_kit.errors.AuditKitError` subclass that
    names the file and the reason when the file cannot be read."""
    doc, data = readers.read(path)
    return build(doc, data, str(path))
