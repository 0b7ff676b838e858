"""Word .docx files (python-docx's XML layer). Merged cells are read once: a horizontal merge (gridSpan) is
one cell, and the continuation cells of a vertical merge are skipped, like rowspan in HTML.

Only the main document part (and the core properties, for the title) is parsed: ``docx.Document`` also
parses styles, numbering, theme and fonts, which in a Word-made file are ten times the size of the text
and took 60 % of the reading time without adding anything an audit reads.

The parts read may inflate to :meth:`~audit_kit.config.Config.max_inflated_bytes` together: their declared sizes
are checked first, and the bytes actually inflated are counted while reading (a declared size can lie)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

from ..config import Config
from ..errors import CorruptFileError, FileTooLargeError
from ..model.document import Block, Cell, Document
from . import limits

_P, _T, _TBL, _TR, _TC = qn("w:p"), qn("w:t"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_VMERGE, _VAL = f"{qn('w:tcPr')}/{qn('w:vMerge')}", qn("w:val")
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)  # the file is untrusted


def read_docx(path: Path, data: bytes, config: Config) -> Document:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            budget = limits.InflateBudget(str(path), config.max_inflated_bytes())
            parts = _package_parts(z, budget)
            if "officeDocument" not in parts:
                raise CorruptFileError(str(path), "不是 Word 文档：压缩包里没有正文部分（word/document.xml）")
            body = parse_xml(budget.read(z, parts["officeDocument"])).find(qn("w:body"))
            hints = _core(z, parts.get("core-properties"), budget)
    except (CorruptFileError, FileTooLargeError):
        raise
    except zipfile.BadZipFile as exc:
        raise CorruptFileError(str(path), "不是有效的 .docx（zip 结构损坏或不是 Word 文件）") from exc
    except Exception as exc:
        raise CorruptFileError(str(path), f"无法打开 .docx：{type(exc).__name__}") from exc
    blocks: list[Block] = []
    n_par = n_tab = 0
    for child in body.iterchildren() if body is not None else ():
        if child.tag == _P:
            n_par += 1
            text = _text(child)
            if text.strip():
                blocks.append(Block("text", (Cell(text.strip(), f"paragraph {n_par}"),)))
        elif child.tag == _TBL:
            n_tab += 1
            _table(child, n_tab, blocks)
    from .docx_pictures import read_pictures

    return read_pictures(path, data, body, blocks, config) or Document(blocks, "docx", hints=hints)


def _package_parts(z: zipfile.ZipFile, budget: limits.InflateBudget) -> dict[str, str]:
    """Part names by relationship type ("officeDocument", "core-properties") from _rels/.rels."""
    rels = etree.fromstring(budget.read(z, "_rels/.rels"), _PARSER)
    return {rel.get("Type", "").rsplit("/", 1)[-1]: str(PurePosixPath("/", rel.get("Target", ""))).lstrip("/")
            for rel in rels.iter(_RELS)}


def _text(el) -> str:
    """Paragraphs joined by a space: "本年新" / "制作数量" still match, "40" / "2" never become 402."""
    paras = el.iter(_P) if el.tag != _P else (el,)
    return " ".join("".join(t.text or "" for t in p.iter(_T)) for p in paras).strip()


def _table(tbl, t_no: int, blocks: list[Block]) -> None:
    for r_no, tr in enumerate(tbl.iterchildren(_TR), start=1):
        cells = []
        for c_no, tc in enumerate(tr.iterchildren(_TC), start=1):
            vmerge = tc.find(_VMERGE)
            src = f"table {t_no} row {r_no} cell {c_no}"
            if vmerge is not None and vmerge.get(_VAL) in (None, "continue"):
                cells.append(Cell("", src, merged=True))
                continue
            cells.append(Cell(_text(tc), src))
        if cells:
            blocks.append(Block("row", tuple(cells)))
    blocks.append(Block("end"))


def _core(z: zipfile.ZipFile, name: str | None, budget: limits.InflateBudget) -> dict[str, str]:
    """The title in the core properties, when the file has one."""
    if not name or name not in z.namelist():
        return {}
    title = etree.fromstring(budget.read(z, name), _PARSER).findtext(_TITLE)
    return {"title": title.strip()} if title and title.strip() else {}
