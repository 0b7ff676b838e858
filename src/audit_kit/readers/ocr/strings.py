"""What an OCR'd string means: the confidence below which a value is uncertain, the mark for ink that could
not be read, digits the model confuses with letters, and the template label a misread label stands for
(rapidfuzz). Shared by the grid reader (ocr.py) and the word reader (ocr_words.py)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from ...model import forms as tpl
from ...model.text import key

THRESHOLD = 0.90  # a value read with less confidence is marked uncertain
UNREADABLE = "~"  # stands in a value cell whose ink could not be read: a not-a-number mark, never a 0
CONFUSED = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "!": "1",
                           "i": "1", "S": "5", "B": "8", "Z": "2", "，": ",", "。": "."})
PUNCT = str.maketrans({"丶": "、"})  # the model reads a list comma as the rare radical 丶 (二丶主动公开…)
DIGITISH = re.compile(r"^[\dOoDQlIi|!SBZ,，.。]+$")
_MIN_LABEL_SCORE = 86


def _label_choices() -> dict[str, str]:
    return {key(lab.text): lab.text for lab in tpl.labels() if lab.kind in ("row", "group")}


_CHOICES: dict[str, str] | None = None


def fuzzy_label(text: str) -> str | None:
    """The template label ``text`` is an OCR slip of (rapidfuzz ratio ≥ 86 and clearly the best), or None."""
    found = fuzzy_label_score(text)
    return found[0] if found else None


def fuzzy_label_score(text: str) -> tuple[str, float] | None:
    """The template label ``text`` is an OCR slip of, with its score, or None (as :func:`fuzzy_label`)."""
    global _CHOICES
    if _CHOICES is None:
        _CHOICES = _label_choices()
    k = key(text)
    if len(k) < 4:
        return None
    found = process.extract(k, list(_CHOICES), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < _MIN_LABEL_SCORE:
        return None
    if len(found) > 1 and found[1][1] >= found[0][1] - 3 and _CHOICES[found[1][0]] != _CHOICES[found[0][0]]:
        return None  # two labels fit about as well: do not choose
    return _CHOICES[found[0][0]], float(found[0][1])
