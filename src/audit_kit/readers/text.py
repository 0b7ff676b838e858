"""Text dumps: one cell per line (tab-indented, blank-line separated, with " |" or lone "|" markers),
pipe rows ("| 规章 | 0 | 0 |"), flipbook rows with space-separated numbers, and cells run together.

A line longer than :data:`~audit_kit.config.MAX_LINE_CHARS` is not read (a note says so): no report prints
one, and a line of millions of numbers would cost a second and some 80 MB per MB of text."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

from ..config import MAX_LINE_CHARS, Config
from ..model import forms as tpl
from ..model.document import Block, Cell, Document
from .encoding import decode
from .lines import line_block

_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]|\[\[(?!GAP\]\])[^\]]*\]\]")
_CUT = re.compile(r"^\s*\[\[GAP\]\]\s*$")
_ONLY_PIPES = re.compile(r"^\s*\|[\s|]*$")
_CAPTION = re.compile(r"第二十条\s*第[(（][一二三四五六七八九十][)）]项")


def read_text(path: Path, data: bytes, config: Config) -> Document:
    from .markdown import is_markdown, parse_markdown

    text = decode(path, data)
    return parse_markdown(text) if is_markdown(text) else parse_text(text)


def parse_text(text: str) -> Document:
    """Turn the lines of a dump into blocks. A lone "|" is an empty cell where cells end in " |"."""
    lines = _ARTEFACT.sub("", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    trailing = sum(1 for ln in lines if "|" in ln and ln.rstrip().endswith("|") and ln.strip("| \t"))
    lone_is_blank = trailing >= 3
    blocks: list[Block] = []
    notes: list[str] = []
    for no, line in enumerate(lines, start=1):
        if not line:
            continue
        src = f"line {no}"
        if len(line) > MAX_LINE_CHARS:
            notes.append(f"第 {no} 行长 {len(line)} 字，超过单行上限 {MAX_LINE_CHARS} 字，未读取")
            blocks.append(Block("gap", (Cell("", src),)))
            continue
        if "[[" in line and _CUT.match(line):
            blocks.append(Block("cut"))
            continue
        if "|" in line and _ONLY_PIPES.match(line):
            if line.count("|") == 1:
                if lone_is_blank:
                    blocks.append(Block("text", (Cell("", src),)))
            else:  # "|||||": empty cells collapsed — how many is unknown
                blocks.append(Block("gap", (Cell("", src),)))
            continue
        if not line.strip():
            blocks.append(Block("text", (Cell("", src),)))
            continue
        runs = run_together(line, src) if len(line) > 80 else None
        if runs:
            blocks.extend(runs)
        else:
            blocks.append(line_block(line, src))
    blocks.append(Block("cut"))
    return Document(blocks, "text", notes=notes)


def run_together(line: str, src: str) -> list[Block] | None:
    """A line with every cell separator removed ("…第二十条第(一)项…规章555规范性文件141414…"): cut at each
    row label followed by digits into text blocks and ``run`` blocks (the digits of several cells, split
    by the extractor only where that is unambiguous). None when the line is no such copy."""
    start = line.find("第二十条")
    if start < 0 or "|" in line or len(line) - start < 30:
        return None
    matches = list(tpl.run_pattern().finditer(line, start))
    if len(matches) < 2:
        return None
    blocks: list[Block] = []
    at = 0

    def prose(a: int, b: int) -> None:  # cut before each 表二 caption: the header after it tells the template
        inner = [x for c in _CAPTION.finditer(line, a, b) for x in c.span() if a < x < b]
        cuts = [a, *inner, b]
        blocks.extend(Block("text", (Cell(line[x:y], f"{src} char {x + 1}"),)) for x, y in pairwise(cuts))

    for m in matches:
        if m.start() > at:
            prose(at, m.start())
        blocks.append(Block("text", (Cell(line[m.start():m.start("num")], f"{src} char {m.start() + 1}"),)))
        blocks.append(Block("run", (Cell(m.group("num"), f"{src} char {m.start('num') + 1}"),)))
        at = m.end()
    if at < len(line):
        prose(at, len(line))
    return blocks
