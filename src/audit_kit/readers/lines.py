"""One line of a text dump as a block: a pipe-separated row, a label followed by numbers set apart with
spaces, or text. Shared by the plain-text and the markdown readers."""

from __future__ import annotations

from ..model.document import Block, Cell
from ..model.numbers import is_number


def line_block(line: str, src: str) -> Block:
    """The block one line of a dump makes (``src`` names the line)."""
    if "|" in line:
        parts = [p.strip() for p in line.split("|")]
        if line.lstrip().startswith("|"):
            parts = parts[1:]
        while parts and not parts[-1]:
            parts.pop()
        if len(parts) >= 2:
            return Block("row", tuple(Cell(p, src) for p in parts))
        return Block("text", (Cell(parts[0] if parts else "", src),))
    return _spaced_numbers(line.strip(), src) or Block("text", (Cell(line.strip(), src),))


def _spaced_numbers(line: str, src: str) -> Block | None:
    """"四、结转下年度继续办理 0 0 0 0 0 0 0" or "0 0 0 …" (flipbook text) → a row of cells."""
    if " " not in line and "\t" not in line and "\u3000" not in line:
        return None
    words = line.split()
    n = len(words)
    while n and is_number(words[n - 1]):
        n -= 1
    numbers = words[n:]
    if len(numbers) < 2 and not (numbers and n and len(" ".join(words[:n])) <= 30):
        return None
    if not numbers:
        return None
    label = " ".join(words[:n])
    cells = ([Cell(label, src)] if label else []) + [Cell(w, src) for w in numbers]
    return Block("row", tuple(cells))
