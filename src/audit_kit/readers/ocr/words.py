"""OCR'd pages without ruled tables → the text-layer reader's word dicts, so one table reconstruction
(``readers/pdf.py``: rows rebuilt from word positions) serves both a text PDF and a scan.

A word's box is in pixels of the deskewed page; here it becomes points of a page whose shorter side is
A4's (595 pt) — a scanned PDF's own page size says only what dpi the scanner wrote, not how large the
print was — so the text-layer reader's tolerances (3 pt a line, 8 pt a column) hold at any dpi.
Each word gets its own source (``page 3 line 12 word 4``) and evidence — page, box, text read,
confidence — like a ruled cell; a word whose ink could not be read stands as :data:`~.ocr_text.UNREADABLE`.

A label in a narrow column wraps a few characters a line, and each piece is recognised alone: a slip in
one piece (定 read as 宁) would lose the row. So the pieces of a column that start at a label's number
are joined and matched to the template's labels with rapidfuzz (:func:`~.ocr_text.fuzzy_label_score`); a
clear match rewrites the pieces to the label's own characters, keeping their boxes.
"""

from __future__ import annotations

import re

from ...model import forms as tpl
from ...model.numbers import is_value, parse_cell
from ..pdf import words as text_layer

A4_SHORT = 595.0  # points: the shorter side of an OCR'd page
_START = re.compile(r"^([\dlI]{1,2}[.．、,，]|[（(][一二三四五六七八九十]|[一二三四五六七八九十]、?)")
_MAX_PIECES = 30  # lines a wrapped label may take (two characters a line in a narrow column)


def has_grid(result: dict) -> bool:
    """Whether the OCR'd page holds a ruled table (read cell by cell, not by word positions)."""
    return any(it["kind"] == "table" for it in result["items"])


def page_points(result: dict) -> tuple[float, float]:
    """Points per pixel of the OCR'd (normalised) page, and the page's height in points."""
    w, h = result["size"]
    scale = result.get("scale") or 1.0
    per_px = A4_SHORT / (min(w, h) * scale)
    return per_px, h * scale * per_px


def word_lines(result: dict, offset: float, evidence: dict) -> list[dict]:
    """The page's text as the text-layer reader's lines (``offset``: the page's top in document points);
    each word's evidence goes into ``evidence["cells"]`` under its source."""
    from .strings import CONFUSED, DIGITISH, THRESHOLD, UNREADABLE

    per_px, height = page_points(result)
    page = result["page"]
    words = []
    for it in result["items"]:
        if it["kind"] != "line":
            continue
        top = it["box"][1]
        for wd in it.get("words", []):
            x0, y0, x1, y1 = wd["box"]
            text = re.sub(r"\s+", "", wd["text"])
            how = ""
            if not text:  # ink the engine could not read: a value's place kept, never a number
                text, how = UNREADABLE, "unread"
            elif not is_value(text) and DIGITISH.match(text):
                fixed = text.translate(CONFUSED)
                if parse_cell(fixed).status == "number":
                    text, how = fixed, "digits"
            # a word starting level with its line band stands on the band's top, as a font box would
            y = top if y0 - top < (it["box"][3] - top) * 0.35 else y0
            words.append({"text": text, "x0": x0 * per_px, "x1": x1 * per_px, "top": y * per_px,
                          "bottom": y1 * per_px, "doctop": offset + y * per_px, "ocr": wd, "how": how,
                          "page": page, "unread": how == "unread"})
    lines = text_layer.page_lines(words, page, height)
    for ln in lines:  # a word between two numbers of a row that is no value: a number misread, not text
        at = [k for k, w in enumerate(ln["words"]) if is_value(w["text"]) and w["text"]]
        for w in ln["words"][at[0] + 1 : at[-1]] if len(at) >= 2 else []:
            if not is_value(w["text"]):
                w["text"], w["how"], w["unread"] = UNREADABLE, "unread", True
    for ln in lines:
        for k, w in enumerate(ln["words"], start=1):
            w["source"] = f"{ln['source']} word {k}"
            wd = w.pop("ocr")
            how = w.pop("how")
            w["ocr_word"] = True
            uncertain = is_value(w["text"]) and w["text"] != "" and (how == "unread" or wd["conf"] < THRESHOLD)
            evidence["cells"][w["source"]] = {"page": page, "box": wd["box"], "text": wd["text"],
                                              "confidence": wd["conf"], "uncertain": uncertain,
                                              **({"how": how} if how else {})}
    return lines


def blocks_of(run: list[dict], pdf=None) -> list:
    """The text-layer reader's blocks of a run of lines (OCR'd pages' and text-layer pages'), after the
    OCR'd label pieces were mended (:func:`mend_labels`)."""
    mend_labels([w for ln in run for w in ln["words"] if w.get("ocr_word")])
    return text_layer.blocks_of(run, pdf)


def mend_labels(words: list[dict]) -> None:
    """Rewrite the pieces of a wrapped label that OCR misread to the template label they clearly spell
    (a label may go on over a page break)."""
    from .strings import fuzzy_label_score

    if not words:
        return
    em = sorted(w["bottom"] - w["top"] for w in words)[len(words) // 2]
    for col in text_layer._columns(words):
        i = 0
        while i < len(col):
            if not _START.match(col[i]["text"]):
                i += 1
                continue
            acc, best, exact = "", None, False
            j = i
            while j < min(len(col), i + _MAX_PIECES):
                w = col[j]
                gap = w["doctop"] - col[j - 1]["doctop"]
                if j > i and ((gap > 2.5 * em and w["page"] == col[j - 1]["page"]) or _START.match(w["text"])):
                    break
                acc += w["text"]
                if tpl.match_row(acc) or tpl.match_group(acc):
                    exact = True
                    break
                found = fuzzy_label_score(acc)
                if found and (best is None or found[1] > best[2]):
                    best = (j, found[0], found[1])
                j += 1
            if exact:
                i = j + 1
                continue
            if best is None:
                i += 1
                continue
            end, label, _score = best
            _spread(label, col[i : end + 1])
            i = end + 1


def _spread(label: str, pieces: list[dict]) -> None:
    """Give the pieces the label's characters, as many to each as it held (the last takes the rest)."""
    if len(label) < len(pieces):
        return
    at = 0
    for k, w in enumerate(pieces):
        left = len(pieces) - k - 1  # pieces after this one, each to keep a character
        n = len(label) - at if left == 0 else min(max(1, len(w["text"])), len(label) - at - left)
        w["text"], w["how"] = label[at : at + n], "label"
        at += n
