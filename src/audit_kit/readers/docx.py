"""Word .docx files (python-docx). Merged cells are read once: a horizontal merge (gridSpan) is one
cell, and the continuation cells of a vertical merge are skipped, like rowspan in HTML."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn

from ..document import Block, Cell, Document
from ..errors import CorruptFileError


def read_docx(path: Path, data: bytes) -> Document:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorruptFileError(str(path), "不是有效的 .docx（zip 结构损坏或不是 Word 文件）")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise CorruptFileError(str(path), f"无法打开 .docx：{type(exc).__name__}") from None
    blocks: list[Block] = []
    n_par = n_tab = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            n_par += 1
            text = _text(child)
            if text.strip():
                blocks.append(Block("text", (Cell(text.strip(), f"paragraph {n_par}"),)))
        elif child.tag == qn("w:tbl"):
            n_tab += 1
            _table(child, n_tab, blocks)
    return Document(blocks, "docx", hints=_core(document))


def _text(el) -> str:
    """Paragraphs joined by a space: "本年新" / "制作数量" still match, "40" / "2" never become 402."""
    paras = el.iter(qn("w:p")) if el.tag != qn("w:p") else [el]
    return " ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paras).strip()


def _table(tbl, t_no: int, blocks: list[Block]) -> None:
    for r_no, tr in enumerate(tbl.iterchildren(qn("w:tr")), start=1):
        cells = []
        for c_no, tc in enumerate(tr.iterchildren(qn("w:tc")), start=1):
            vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            src = f"table {t_no} row {r_no} cell {c_no}"
            if vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue"):
                cells.append(Cell("", src, merged=True))
                continue
            cells.append(Cell(_text(tc), src))
        if cells:
            blocks.append(Block("row", tuple(cells)))
    blocks.append(Block("end"))


def _core(document) -> dict[str, str]:
    hints = {}
    props = document.core_properties
    if props.title:
        hints["title"] = props.title
    return hints
