"""PDFs with a text layer (pdfplumber). Table rows are rebuilt from word positions, not reading order.

- Words are NFKC-normalised (some PDFs carry Kangxi radicals such as ⾏ for 行), footnote markers kept
  ("3①" stays, never 31: ``model/text.nfkc``); page footers such as
  "- 3 -" are dropped; words are grouped into lines by their vertical position.
- In the table part of the report, words are sorted into label columns by their x position. Each column's
  words, read top to bottom, are cut into labels with the template's vocabulary: a label wrapped over two
  or three lines is joined, and fragments of group labels (三、本年度办理结果 printed one character per
  line, （三）不予公开 split over lines) are recognised and consumed. A line of numbers belongs to the
  label whose lines span it — above, below or around it, as cells are top-aligned or centred.
- Ruled tables (rules drawn on the page) are read cell by cell instead (``pdf_ruled``): a wrapped label's
  numbers, vertically centred in a tall cell, stand on another line than the label's first.
- Outside the tables, prose lines are joined into paragraphs (a line reaching the right margin goes on).
"""

from __future__ import annotations

import re
import statistics

from ...model import forms as tpl
from ...model.document import Block, Cell
from ...model.headings import heading_number
from ...model.numbers import is_number
from ...model.text import nfkc
from .ruled import Item, ruled_items

_FOOTER = re.compile(r"^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页(共\s*\d+\s*页)?$|^\d+$")
_CAPTION = re.compile(r"第二十条")
_LINE_TOLERANCE = 3.0
_COLUMN_GAP = 8.0


def blocks_of(lines: list[dict], pdf=None) -> list[Block]:
    """Prose and table blocks of a run of lines: a text layer's, or OCR'd words with their boxes (the
    same word dicts, ``readers/ocr_words.py``). Ruled tables are read cell by cell when ``pdf`` is given."""
    if not lines:
        return []
    _margins(lines)
    start, end = table_span(lines)
    if start is None:
        return _prose(lines)
    ruled = ruled_items(pdf, lines, start, end) if pdf is not None else []
    return _prose(lines[:start]) + _table(lines[start:end], ruled) + _prose(lines[end:])


def text_lines(page) -> list[dict]:
    lines = page_lines(page.extract_words(x_tolerance=1.5, y_tolerance=2), page.page_number, page.height)
    for w in lines[0]["page_words"] if lines else ():  # a text layer's words: their place on the page (source view)
        w["box"] = (page.page_number, round(w["x0"], 1), round(w["top"], 1), round(w["x1"], 1), round(w["bottom"], 1))
    return lines


def page_lines(words: list[dict], number: int, height: float) -> list[dict]:
    """A page's words (pdfplumber's dicts: text, x0, x1, top, doctop) grouped into lines, footers left out."""
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[list[dict]] = []
    for w in words:
        w["text"] = nfkc(w["text"])
        if lines and abs(w["top"] - lines[-1][0]["top"]) <= _LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for no, ws in enumerate(lines, start=1):
        ws.sort(key=lambda w: w["x0"])
        src = f"page {number} line {no}"
        for w in ws:
            w["source"] = src
        footer = " ".join(w["text"] for w in ws)
        if len(ws) <= 3 and _FOOTER.match(footer.replace(" ", "")) and ws[0]["top"] > height * 0.85:
            continue
        out.append({"words": ws, "source": src, "top": ws[0]["doctop"], "page": number,
                    "page_words": words})  # footers too: a lone number low on the page may be a table cell
    return out


def _margins(lines: list[dict]) -> None:
    """Mark lines that reach the right margin (prose going on in the next line) and indented lines."""
    left = statistics.median(ln["words"][0]["x0"] for ln in lines)
    ends = sorted(ln["words"][-1]["x1"] for ln in lines)
    right = ends[int(len(ends) * 0.75)]  # most prose lines end at the margin; tables may reach past it
    for ln in lines:
        ln["full"] = ln["words"][-1]["x1"] >= right - 15
        ln["short"] = ln["words"][-1]["x1"] < right - 60
        ln["indented"] = ln["words"][0]["x0"] >= left + 12


def _text(ln: dict) -> str:
    return "".join(w["text"] for w in ln["words"])


_COUNTED = re.compile(r"\d\s*件")


def _sentence(text: str) -> bool:
    """A line of prose that names table rows ("其中予以公开20件，结转下年度继续办理9件。"): a full stop or a
    count in 件 — which no table row prints — so it cannot be where the tables start."""
    return "。" in text or bool(_COUNTED.search(text))


def table_span(lines: list[dict]) -> tuple[int | None, int]:
    """From the first 表二 caption or table label to the heading of section 五 (or the end)."""
    start = next((i for i, ln in enumerate(lines) if _CAPTION.search(_text(ln))
                  or (any(tpl.match_row(w["text"]) for w in ln["words"]) and not _sentence(_text(ln)))), None)
    if start is None:
        return None, len(lines)
    end = next((i for i in range(start, len(lines)) if heading_number(_text(lines[i])) in ("五", "六")), len(lines))
    return start, end


def _prose(lines: list[dict]) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    para_src = ""

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(Block("text", (Cell("".join(para), para_src),)))
        para = []

    for ln in lines:
        text = _text(ln)
        if heading_number(text) or not (len(text) > 24 or para):
            flush()
            blocks.append(Block("text", (Cell(text, ln["source"]),)))
            continue
        if para and ln["indented"]:
            flush()
        if not para:
            para_src = ln["source"]
        para.append(text)
        if ln["short"] or (not ln["full"] and text.endswith(("。", ":", ";", "!", ")"))):
            flush()
    flush()
    return blocks


def _columns(words: list[dict]) -> list[list[dict]]:
    """Text words grouped into columns by their left edge."""
    cols: list[list[dict]] = []
    for w in sorted(words, key=lambda w: w["x0"]):
        if cols and w["x0"] - cols[-1][-1]["x0"] <= _COLUMN_GAP:
            cols[-1].append(w)
        else:
            cols.append([w])
    return [sorted(c, key=lambda w: w["doctop"]) for c in cols]


def _segment(column: list[dict]) -> tuple[list[dict], list[dict]]:
    """Cut a column's words into labels (joined over lines) and the words that are no label at all."""
    labels, others = [], []
    i = 0
    while i < len(column):
        acc, j, match = "", i, None
        while j < len(column) and tpl.is_label_start(acc + column[j]["text"]):
            acc += column[j]["text"]
            j += 1
            if tpl.match_row(acc) or tpl.match_group(acc):
                match = j
        if match is None:
            others.append(column[i])
            i += 1
            continue
        words = column[i:match]
        text = "".join(w["text"] for w in words)
        if tpl.match_row(text):
            labels.append({"text": text, "top": words[0]["doctop"], "bottom": words[-1]["doctop"] + 12,
                           "x0": words[0]["x0"], "source": words[0]["source"], "numbers": None})
        i = match
    return labels, others


def _table(lines: list[dict], ruled: list[Item]) -> list[Block]:
    """Rows of numbers joined to their labels; other words as cells, in reading order. The rows of ruled
    tables (``ruled``, read cell by cell) are placed among them; their words are not read again."""
    numeric, text_words = [], []
    for ln in lines:
        words = [w for w in ln["words"] if not w.get("ruled")]
        if not words:
            continue
        n = len(words)
        while n and (is_number(words[n - 1]["text"]) or words[n - 1].get("unread")):  # OCR: ink not read
            n -= 1
        if n < len(words):
            numeric.append({"top": words[n]["doctop"], "words": words[n:], "source": ln["source"]})
        text_words.extend(words[:n])
    labels, others = [], []
    for col in _columns(text_words):
        found, rest = _segment(col)
        labels += found
        others += rest
    items: list[Item] = list(ruled)
    for row in numeric:
        y = row["top"]
        spans = [lab for lab in labels if lab["numbers"] is None and lab["top"] - 3 <= y <= lab["bottom"] + 3]
        if not spans:
            near = [lab for lab in labels if lab["numbers"] is None and abs(lab["top"] - y) <= 6]
            spans = near
        cells = [Cell(w["text"], w["source"], box=w.get("box")) for w in row["words"]]
        if spans:
            lab = max(spans, key=lambda s: s["x0"])
            lab["numbers"] = cells
            continue
        items.append((y, 0.0, Block("row", tuple(cells))))
    for lab in labels:
        printed = (Cell(lab["text"], lab["source"]), *(lab["numbers"] or ()))
        items.append((lab["top"], lab["x0"], Block("row" if lab["numbers"] else "text", printed)))
    for w in others:
        items.append((w["doctop"], w["x0"], Block("text", (Cell(w["text"], w["source"]),))))
    items.sort(key=lambda t: (round(t[0] / _LINE_TOLERANCE), t[1]))
    return [b for _, _, b in items]
