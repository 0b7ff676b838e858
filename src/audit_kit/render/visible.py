"""Invisible characters made visible: a format character (Unicode category Cf — a zero-width joiner, a bidi
override that reverses what follows on screen, a stray BOM) in report text is shown as ``⟨U+202E⟩`` wherever
audit-kit displays text — memo, index, the lab page, the walker and the command line — so two names that look
the same never hide a difference, and a name never reads backwards."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata


@functools.cache
def _format_characters() -> re.Pattern[str]:
    """One character class of every Cf character (built once, on first use)."""
    chars = "".join(re.escape(chr(c)) for c in range(0x80, sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{chars}]")


def visible(text: str) -> str:
    """``text`` with every format character (category Cf) written as ``⟨U+XXXX⟩``."""
    if text.isascii():
        return text
    return _format_characters().sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a format character."""
    return not text.isascii() and _format_characters().search(text) is not None
