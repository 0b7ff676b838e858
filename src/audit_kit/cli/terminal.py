"""Text for a terminal: report text is hostile, and a terminal acts on control characters — ``\\x1b[31m``
recolours it, ``\\x1b]0;…`` retitles the window, ``\\r`` overwrites the line, a C1 ``\\x9b`` starts an escape
on some. Everything the commands print in their own words goes through :func:`safe`; the machine formats
keep their data (JSON escapes control characters losslessly, :func:`json_safe`; a CSV is escaped only when
written to a terminal)."""

from __future__ import annotations

import re
from typing import IO

from ..errors import printable
from ..render.visible import visible

# C0 controls but tab and newline, DEL, C1 controls, and the bidi overrides that reorder what is shown
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_C0_C1 = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BYTE = re.compile("[\udc80-\udcff]")  # a byte of a file name that is not UTF-8 (surrogateescape)


def _shown(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``) instead of acted on, every format
    character (a bidi override, a zero-width joiner) as ``⟨U+202E⟩`` (``render/visible.py``), and the
    bytes of a file name that are not UTF-8 (GBK, kept by Python as surrogates) as ``\\xNN``: raw, they would
    not encode, or reach the terminal as C1 controls."""
    return visible(_C0_C1.sub(_shown, printable(str(text))))


def json_safe(text: str) -> str:
    """JSON text (``ensure_ascii=False``) with the control characters JSON leaves raw (DEL, C1, bidi) written
    as ``\\uXXXX`` escapes: the same data, inert in a terminal; a file name's bytes that are not UTF-8 as
    ``\\xNN`` (JSON must be UTF-8)."""
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _BYTE.sub(lambda m: f"\\\\x{ord(m.group()) - 0xDC00:02x}", text)  # "\\xd1" in the JSON: the text \xd1


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def say(text: object, err: bool = False) -> None:
    """Print one message of the command (to stderr when ``err``), control characters escaped."""
    import sys

    print(safe(text), file=sys.stderr if err else sys.stdout)


def write_data(text: str) -> None:
    """Write a machine format (CSV) to stdout: as it is into a pipe or file, escaped into a terminal."""
    import sys

    sys.stdout.write(safe(text) if is_terminal(sys.stdout) else printable(text))  # UTF-8 either way
