"""Web pages (.html, .htm, .shtml): Word-exported articles inside whole site pages.

Only innermost ``<table>`` elements are data tables (site layouts nest tables); a cell's text joins its
``<p>``/``<br>`` parts without spaces. Rowspan continuation cells are simply absent from later rows, as
in the page, so a merged label is never repeated into a value position.
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
_PARSER = etree.HTMLParser(no_network=True)  # plain elements: lxml.html's element classes cost a lookup each
_SPACES = re.compile(r"[ \t\r\n\xa0\u3000]+")
_PUB_META = ("pubdate", "publishdate", "firstpublishedtime", "publish_time", "dc.date", "pub_date")


def read_html(path: Path, data: bytes, config: Config) -> Document:
    text = decode(path, data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if "\\\"" in text and "<table" in text:  # markup embedded in a JavaScript string
        text = text.replace("\\\"", "\"").replace("\\n", "\n").replace("\\/", "/")
    try:
        root = etree.fromstring(text, _PARSER) if text.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptFileError(str(path), f"网页无法解析：{exc}") from exc
    if root is None:
        raise CorruptFileError(str(path), "网页无法解析：没有任何 HTML 元素")
    return Document(_blocks(root), "html", hints=_hints(root))  # a page that is no report: report.build says so


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

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS or el.tag is etree.Comment:
            return
        if tag == "table" and el.find(".//table") is None:
            flush()
            n_table[0] += 1
            _table(el, n_table[0], blocks)
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        if el.text:
            if not buf:
                buf_line[0] = el.sourceline or 0
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                if not buf:
                    buf_line[0] = child.sourceline or 0
                buf.append(child.tail)
        if block:
            flush()

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
