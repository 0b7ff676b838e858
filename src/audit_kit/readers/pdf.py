"""PDFs with a text layer (pdfplumber). Table rows are rebuilt from word positions, not reading order.

- Words are NFKC-normalised (some PDFs carry Kangxi radicals such as ⾏ for 行) and grouped into lines
  by their vertical position; page footers such as "- 3 -" are dropped.
- A line that carries numbers becomes a table row: its label words joined into one cell, then one cell
  per number. A line without numbers is text (a heading, prose, or one line of a wrapped label).
- In 表三, fragments of the vertical group label (三、本年度办理结果 one character per line) and of the
  group labels ((三)不予公开 …) stand left of the sub-row labels: they are dropped there.
- Prose lines are joined into paragraphs so that sentences broken over lines stay whole.
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from pathlib import Path

from ..document import Block, Cell, Document
from ..errors import CorruptFileError, ScannedDocumentError
from ..numbers import is_number
from ..sections import heading_number
from .. import templates as tpl

_FOOTER = re.compile(r"^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页(共\s*\d+\s*页)?$|^\d+$")
_SUB_ENUM = re.compile(r"^\d{1,2}[.、]")
_LINE_TOLERANCE = 3.0
_CAPTION = re.compile(r"第二十条第\(")


def read_pdf(path: Path, data: bytes) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = [_page_lines(page) for page in pdf.pages]
    except PDFPasswordIncorrect:
        raise CorruptFileError(str(path), "PDF 已加密，需要密码才能读取") from None
    except (PDFSyntaxError, Exception) as exc:  # noqa: BLE001 - pdfminer raises many types for broken files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise CorruptFileError(str(path), "PDF 已加密，需要密码才能读取") from None
        raise CorruptFileError(str(path), f"PDF 无法解析（{name}）") from None
    if not any(pages):
        raise ScannedDocumentError(str(path), "PDF 没有文字层（可能是扫描件），需要先做 OCR 才能读取")
    lines = [ln for page in pages for ln in page]
    _margins(lines)
    return Document(_blocks(_drop_group_fragments(lines)), "pdf")


def _page_lines(page) -> list[dict]:  # noqa: ANN001 - a pdfplumber page
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2)
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[list[dict]] = []
    for w in words:
        w["text"] = unicodedata.normalize("NFKC", w["text"])
        if lines and abs(w["top"] - lines[-1][0]["top"]) <= _LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for no, ws in enumerate(lines, start=1):
        ws.sort(key=lambda w: w["x0"])
        text = " ".join(w["text"] for w in ws)
        if _FOOTER.match(text.replace(" ", "")) and ws[0]["top"] > page.height * 0.85:
            continue
        out.append({"words": ws, "source": f"page {page.page_number} line {no}"})
    return out


def _margins(lines: list[dict]) -> None:
    """Mark lines that reach the right margin (prose going on in the next line) and indented lines."""
    if not lines:
        return
    left = statistics.median(ln["words"][0]["x0"] for ln in lines)
    ends = sorted(ln["words"][-1]["x1"] for ln in lines)
    right = ends[int(len(ends) * 0.75)]  # most prose lines end at the margin; tables may reach past it
    for ln in lines:
        ln["full"] = ln["words"][-1]["x1"] >= right - 15
        ln["indented"] = ln["words"][0]["x0"] >= left + 12


def _drop_group_fragments(lines: list[dict]) -> list[dict]:
    """Inside 表三, drop short words left of the sub-row labels that are not labels themselves."""
    start = next((i for i, ln in enumerate(lines)
                  if any((lab := tpl.match_row(w["text"])) and lab.table == "t3" for w in ln["words"])), None)
    if start is None:
        return lines
    end = next((i for i in range(start, len(lines))
                if heading_number("".join(w["text"] for w in lines[i]["words"])) == "四"), len(lines))
    subs = [w["x0"] for ln in lines[start:end] for w in ln["words"] if _SUB_ENUM.match(w["text"])]
    if not subs:
        return lines
    x_sub = statistics.median(subs)
    for ln in lines[start:end]:
        ln["words"] = [w for w in ln["words"] if not (
            w["x1"] < x_sub and len(w["text"]) <= 4 and not is_number(w["text"]) and not tpl.match_row(w["text"]))]
    return [ln for ln in lines if ln["words"]]


def _is_prose(text: str) -> bool:
    return len(text) > 24 or bool(re.search(r"[。,;:!]", text))


def _blocks(lines: list[dict]) -> list[Block]:
    """Numeric lines → rows; short lines and headers → cells; prose lines → paragraphs."""
    blocks: list[Block] = []
    para: list[str] = []
    para_src = ""

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(Block("text", (Cell("".join(para), para_src),)))
        para = []

    for ln in lines:
        words, src = ln["words"], ln["source"]
        n = len(words)
        while n and is_number(words[n - 1]["text"]):
            n -= 1
        label, numbers = "".join(w["text"] for w in words[:n]), words[n:]
        if numbers and not (_is_prose(label) and not tpl.match_row(label)):
            flush()
            cells = ([Cell(label, src)] if label else []) + [Cell(w["text"], src) for w in numbers]
            blocks.append(Block("row", tuple(cells)))
            continue
        text = "".join(w["text"] for w in words)
        if tpl.match_row(text) or heading_number(text) or not (_is_prose(text) or (para and ln["full"])):
            flush()
            if len(words) > 1 and all(len(w["text"]) <= 12 for w in words) and not _CAPTION.search(text):
                blocks.extend(Block("text", (Cell(w["text"], src),)) for w in words)
            else:
                blocks.append(Block("text", (Cell(text, src),)))
            continue
        if para and ln["indented"]:
            flush()
        if not para:
            para_src = src
        para.append(text)
        if not ln["full"]:
            flush()
    flush()
    blocks.append(Block("end"))
    return blocks
