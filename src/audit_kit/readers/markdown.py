"""Markdown from PDF/Word converters (.md, or a .txt holding the same): pipe tables and prose.

A pipe row ("| 规章 | 0 |  |") has exactly the cells between its outer pipes, empty ones included (unlike
mirror-site dumps, whose trailing pipes are padding). Separator rows ("|---|:--:|"), emphasis and heading
marks are dropped; other lines are read as in a text dump."""

from __future__ import annotations

import re
from pathlib import Path

from ..config import Config
from ..model.document import Block, Cell, Document
from .encoding import decode
from .lines import line_block

# Possessive quantifiers: a line of many spaces must not make the pattern backtrack (a 9 MB text of blank
# lines took an hour with plain ones).
_SEPARATOR = re.compile(r"[ \t]*+\|?[ \t]*+:?-{3,}:?[ \t]*+(?:\|[ \t]*+:?-{3,}:?[ \t]*+)*\|?[ \t]*+")
_EMPHASIS = re.compile(r"\*\*|__|<br\s*/?>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


def read_markdown(path: Path, data: bytes, config: Config) -> Document:
    return parse_markdown(decode(path, data))


def is_markdown(text: str) -> bool:
    """Whether a text holds a markdown pipe table (a separator row "|---|---|")."""
    return "---" in text and any("---" in line and _SEPARATOR.fullmatch(line) for line in text.splitlines())


def parse_markdown(text: str) -> Document:
    """A markdown dump as a document: pipe rows as rows (headings and emphasis marks dropped)."""
    blocks: list[Block] = []
    for no, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        src = f"line {no}"
        if not line.strip() or _SEPARATOR.fullmatch(line):
            continue
        line = _HEADING.sub("", _EMPHASIS.sub("", line)).strip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            cells = [c.strip() for c in line[1:-1].split("|")]
            if len(cells) == 1:
                blocks.append(Block("text", (Cell(cells[0], src),)))
            else:
                blocks.append(Block("row", tuple(Cell(c, src) for c in cells)))
            continue
        blocks.append(line_block(line, src))
    blocks.append(Block("end"))
    return Document(blocks, "markdown")
