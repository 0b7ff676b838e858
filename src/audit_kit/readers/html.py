"""Web pages (.html, .htm, .shtml): Word-exported articles inside whole site pages.

Only innermost ``<table>`` elements are data tables (site layouts nest tables); a cell's text joins its
``<p>``/``<br>`` parts without spaces. Rowspan continuation cells are simply absent from later rows, as
in the page, so a merged label is never repeated into a value position.

Pages are parsed with libxml2's depth limit lifted from 256 to its bound of :data:`MAX_DEPTH` levels (site
templates wrap articles in hundreds of ``<div>``); what lies deeper is not read, and the notes say so. The
tree is walked without recursion, so no depth the parser gives reaches Python's recursion limit.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..config import Config
from ..errors import CorruptFileError
from ..model.document import Block, Cell, Document
from .encoding import decode

_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section", "article", "br",
    "blockquote", "center", "dd", "dt", "pre", "ul", "ol", "body", "form", "header", "footer", "td", "th",
}
_SKIP_TAGS = {"script", "style", "noscript", "head", "iframe", "object", "template", "select", "option"}
MAX_DEPTH = 2048  # libxml2's nesting bound with the limit lifted (huge_tree; the input size limit bounds the rest)
_DEPTH_ERROR = "Excessive depth"
_SPACES = re.compile(r"[ \t\r\n\xa0\u3000]+")
_PUB_META = ("pubdate", "publishdate", "firstpublishedtime", "publish_time", "dc.date", "pub_date")


def read_html(path: Path, data: bytes, config: Config) -> Document:
    text = decode(path, data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if "\\\"" in text and "<table" in text:  # markup embedded in a JavaScript string
        text = text.replace("\\\"", "\"").replace("\\n", "\n").replace("\\/", "/")
    # plain elements (lxml.html's element classes cost a lookup each); a parser per page: its error log is ours
    parser = etree.HTMLParser(no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser) if text.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptFileError(str(path), f"网页无法解析：{exc}") from exc
    if root is None:
        raise CorruptFileError(str(path), "网页无法解析：没有任何 HTML 元素")
    notes = []
    deep = next((e for e in parser.error_log if _DEPTH_ERROR in e.message), None)
    if deep is not None:
        notes.append(f"网页嵌套过深（超过 {MAX_DEPTH} 层，第 {deep.line} 行起），更深处的内容（可能包括表格）未能读取")
    # a page that is no report: report.build says so
    return Document(_blocks(root), "html", notes=notes, hints=_hints(root))


def _hints(root: etree._Element) -> dict[str, str]:
    hints = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in _PUB_META and meta.get("content"):
            hints["published"] = meta.get("content", "")
        if name in ("articletitle", "title") and meta.get("content"):
            hints.setdefault("title", meta.get("content", ""))
        if name in ("og:url", "url") and (meta.get("content") or "").startswith(("http://", "https://")):
            hints.setdefault("url", meta.get("content", ""))
    for link in root.iter("link"):  # where the page says it lives: the memo names it as the report's source
        if (link.get("rel") or "").lower() == "canonical" and (link.get("href") or "").startswith(("http://", "https://")):
            hints.setdefault("url", link.get("href", ""))
    title = root.find(".//title")
    text = "".join(title.itertext()) if title is not None else ""
    if text.strip():
        hints.setdefault("page_title", _SPACES.sub(" ", text).strip())
    return hints


_STRING = etree.XPath("string()")
_CELLS = etree.XPath("./td|./th")


def _cell_text(el: etree._Element) -> str:
    return " ".join(_STRING(el).split())  # str.split() also splits on NBSP and the ideographic space


def _blocks(root: etree._Element) -> list[Block]:
    blocks: list[Block] = []
    buf: list[str] = []
    buf_line = [0]
    n_table = [0]

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(buf)).strip()
        if text:
            blocks.append(Block("text", (Cell(text, f"line {buf_line[0]}"),)))
        buf.clear()

    def text_at(el: etree._Element, text: str) -> None:
        if not buf:
            buf_line[0] = el.sourceline or 0
        buf.append(text)

    def walk(top: etree._Element) -> None:
        # depth first without recursion: ("open", el) reads an element, ("close", el) ends a block element,
        # ("tail", el) reads the text after a child
        todo: list[tuple[str, etree._Element]] = [("open", top)]
        while todo:
            step, el = todo.pop()
            if step == "close":
                flush()
                continue
            if step == "tail":
                if el.tail:
                    text_at(el, el.tail)
                continue
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in _SKIP_TAGS or el.tag is etree.Comment:
                continue
            if tag == "table" and el.find(".//table") is None:
                flush()
                n_table[0] += 1
                _table(el, n_table[0], blocks)
                continue
            block = tag in _BLOCK_TAGS
            if block:
                flush()
            if el.text:
                if not buf:
                    buf_line[0] = el.sourceline or 0
                buf.append(el.text)
            if block:
                todo.append(("close", el))
            for child in reversed(el):
                todo.append(("tail", child))
                todo.append(("open", child))

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return blocks


def _table(table: etree._Element, t_no: int, blocks: list[Block]) -> None:
    for r_no, tr in enumerate(table.iter("tr"), start=1):
        cells = []
        for c_no, td in enumerate(_CELLS(tr), start=1):
            src = f"table {t_no} row {r_no} cell {c_no} (line {td.sourceline})"
            cells.append(Cell(_cell_text(td), src))
        if cells:
            blocks.append(Block("row", tuple(cells)))
    blocks.append(Block("end"))
