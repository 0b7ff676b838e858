"""Degraded copies of complete real reports, made at test time.

A report is turned into a list of items — section headings, captions, header cells, group labels and rows
(the printed label and the printed values, taken from the original's cells) — and each layout of the issue
changes that list or prints it another way: one cell per line (with " |" after each cell, as mirror sites
do), digits run together in one line, markdown pipe tables, or a ruled HTML page printed to PDF
(``PdfPrinter``).

Each variant says which cells it must read (``must``): all of the original's cells, or the ones its layout
leaves provable. Every cell read must equal the original's; ``must`` is the floor.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html import escape

from audit_kit.model import forms as tpl

GROUPS = {"deny": "（三）不予公开", "unable": "（四）无法提供", "noproc": "（五）不予处理", "other": "（六）其他处理"}
T2_CAPTIONS = {"一": ("rules", "normative"), "五": ("licensing", "other_services"),
               "六": ("penalty", "coercion"), "八": ("fees",), "九": ("procurement",)}
T3_HEADER = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T4_HEADER = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉",
             "复议后起诉", *["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2]
T4_BLOCKS = (("review", "行政复议"), ("lit_direct", "行政诉讼未经复议直接起诉"), ("lit_after_review", "复议后起诉"))

Key = tuple[str, str, str]


@dataclass
class Row:
    table: str
    code: str
    label: str
    values: list[str]


@dataclass
class Mark:
    """A line of text that is no table row: a heading, a caption, a header cell or a group label."""

    text: str


Item = Row | Mark


@dataclass
class Original:
    name: str
    template: str
    cells: dict[Key, tuple[str, float]]  # (status, value) as the original reads
    raws: dict[Key, str]  # the cell as printed
    labels: dict[tuple[str, str], str]  # (table, row) → the label as printed
    prose: list[str]


@dataclass
class Variant:
    layout: str
    name: str
    suffix: str
    content: str | bytes | list[Item]
    must: set[Key] = field(default_factory=set)
    note: str = ""  # a note the reading must give (for the ambiguous cases)


def original_of(report) -> Original:
    """What the generator needs of an original: its cells, its printed labels and some prose."""
    cells = {(r.table, r.row, r.col): (r.status, r.value) for r in report.cells.itertuples(index=False)}
    raws = {(r.table, r.row, r.col): r.raw for r in report.cells.itertuples(index=False)}
    labels = {(r.table, r.code): r.label.text for r in report.extraction.rows}
    prose = [f"{k}、{v['heading']}" if not v["heading"].startswith(k) else v["heading"]
             for k, v in report.sections.items() if k in ("一", "五", "六")]
    return Original(report.meta["source"], report.meta["template"], cells, raws, labels, prose)


def raw_of(orig: Original, table: str, row: str) -> list[str]:
    cols = tpl.columns(orig.template, table, row)
    out = []
    for c in cols:
        status, _value = orig.cells[(table, row, c)]
        out.append("" if status == "blank" else orig.raws[(table, row, c)] if status == "number" else "/")
    return out


def items_of(orig: Original) -> list[Item]:
    """The report's tables as items in printed order (the clean layout every variant starts from)."""
    t = orig.template
    out: list[Item] = [Mark("二、主动公开政府信息情况")]
    for block, codes in T2_CAPTIONS.items():
        codes = tuple(c for c in codes if tpl.columns(t, "t2", c))
        if not codes:
            continue
        out.append(Mark(f"第二十条第（{block}）项"))
        out.append(Mark("信息内容"))
        out += [Mark(tpl.spec(t, "t2", codes[0], c).col_label) for c in tpl.columns(t, "t2", codes[0])]
        for code in codes:
            out.append(Row("t2", code, orig.labels.get(("t2", code), tpl.row_label("t2", code)),
                           raw_of(orig, "t2", code)))
    out.append(Mark("三、收到和处理政府信息公开申请情况"))
    out += [Mark(h) for h in T3_HEADER]
    group = None
    for code in tpl.rows(t, "t3"):
        if code == "other" and t == "2021":
            continue
        g = code.split(".")[0] if "." in code else None
        if code == "granted":
            out.append(Mark("三、本年度办理结果"))
        if g and g != group:
            out.append(Mark(GROUPS[g]))
        group = g
        out.append(Row("t3", code, orig.labels.get(("t3", code), tpl.row_label("t3", code)), raw_of(orig, "t3", code)))
    out.append(Mark("四、政府信息公开行政复议、行政诉讼情况"))
    out += [Mark(h) for h in T4_HEADER]
    vals = [v for block, _ in T4_BLOCKS for v in raw_of(orig, "t4", block)]
    out.append(Row("t4", "row", "", vals))
    out += [Mark(p) for p in orig.prose]
    return out


def all_cells(orig: Original) -> set[Key]:
    return set(orig.cells)


def cells_of_rows(orig: Original, rows: list[tuple[str, str]]) -> set[Key]:
    return {k for k in orig.cells if (k[0], k[1]) in rows}


# ---- printers ----------------------------------------------------------------------------------------

def as_lines(items: list[Item]) -> str:
    """One cell per line, each followed by " |"; a lone "|" is an empty cell (mirror-site text)."""
    out = []
    for it in items:
        if isinstance(it, Mark):
            out.append(f"{it.text} |")
            continue
        if it.label:
            out.append(f"{it.label} |")
        out += [f"{v} |" if v else "|" for v in it.values]
    return "\n".join(out) + "\n"


def as_run_together(items: list[Item]) -> str:
    """Every separator and line break removed (a document-sharing copy)."""
    out = []
    for it in items:
        if isinstance(it, Mark):
            out.append(it.text)
        else:
            out.append(it.label + "".join(it.values))
    return "".join(out)


def as_markdown(items: list[Item], label_apart: frozenset[str] = frozenset(),
                label_after: frozenset[str] = frozenset(), wrap: dict[str, int] | None = None,
                interleave: dict[str, tuple[int, int, bool]] | None = None) -> str:
    """Pipe tables as PDF→markdown converters write them. Rows whose code is in ``label_apart`` print the
    label in a row of its own above the numbers; ``label_after`` below them; ``wrap`` cuts a label after
    that many characters and carries the rest to the next line. ``interleave`` maps a row to (g, n, below):
    its group label (printed nowhere else) and its own label, each wrapped after g and n characters, are
    read line by line into each other ("（四）无2.没有现成信息需要另" / "法提供行制作"), the numbers on the
    first line or, with ``below``, on the second."""
    wrap = wrap or {}
    interleave = interleave or {}
    folded = {GROUPS[c.split(".")[0]] for c in interleave}
    out: list[str] = []
    in_table = False
    for it in items:
        if isinstance(it, Mark) and it.text in folded:
            continue
        if isinstance(it, Mark):
            heading = it.text[:2] in ("二、", "三、", "四、", "五、", "六、", "一、") and it.text != "三、本年度办理结果"
            if heading:
                out += ["", it.text, ""]
                in_table = False
                continue
            out.append(f"| {it.text} |")
            if not in_table:
                out.append("|---|")
                in_table = True
            continue
        vals = " | ".join(it.values)
        if not it.label:
            out.append(f"| {vals} |")
        elif it.code in interleave:
            g, n, below = interleave[it.code]
            group = GROUPS[it.code.split(".")[0]]
            first, second = group[:g] + it.label[:n], group[g:] + it.label[n:]
            out += [f"| {first} |", f"| {second} | {vals} |"] if below else [f"| {first} | {vals} |", f"| {second} |"]
        elif it.code in wrap:
            n = wrap[it.code]
            out += [f"| {it.label[:n]} | {vals} |", f"| {it.label[n:]} |"]
        elif it.code in label_apart:
            out += [f"| {it.label} |", f"| | {vals} |"]
        elif it.code in label_after:
            out += [f"| | {vals} |", f"| {it.label} |"]
        else:
            out.append(f"| {it.label} | {vals} |")
    return "\n".join(out) + "\n"


def as_ruled_html(items: list[Item], centre: bool = True, label_em: int = 7, unruled: frozenset[str] = frozenset(),
                  lead_mm: int = 0, open_below: frozenset[str] = frozenset()) -> str:
    """A ruled table page (borders on every cell) with narrow label cells (``label_em`` wide): long labels
    wrap and, with ``centre``, the numbers sit vertically centred in the tall cell — on another text line
    than the label's first line. Rows whose code is in ``unruled`` print no rules between their cells, rows
    in ``open_below`` no rule under them; ``lead_mm`` of empty space before the text moves rows onto page
    breaks."""
    parts = ["<html><head><meta charset='utf-8'><style>",
             "body{font-family:'Noto Sans CJK SC';font-size:11pt} table{border-collapse:collapse;width:100%}",
             "td{border:1px solid #000;padding:2px 3px;text-align:center;vertical-align:"
             + ("middle" if centre else "top") + f"}} td.l{{width:{label_em}em;text-align:left}}",
             "tr.u td:not(:first-child){border-left:none} tr.u td:not(:last-child){border-right:none}",
             "tr.o td{border-bottom:none} tr.o + tr td{border-top:none}",
             "</style></head><body>", f"<div style='height:{int(lead_mm)}mm'></div>"]
    open_table = False
    for it in items:
        if isinstance(it, Mark):
            if open_table:
                parts.append("</table>")
                open_table = False
            parts.append(f"<p>{escape(it.text)}</p>")
            continue
        if not open_table:
            parts.append("<table>")
            open_table = True
        cells = ([f"<td class='l'>{escape(it.label)}</td>"] if it.label else []) + [
            f"<td>{escape(v)}</td>" for v in it.values]
        cls = " ".join(c for c, codes in (("u", unruled), ("o", open_below)) if it.code in codes)
        parts.append((f"<tr class='{cls}'>" if cls else "<tr>") + "".join(cells) + "</tr>")
    if open_table:
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


class PdfPrinter:
    """Prints HTML pages to A4 PDFs with one headless Chromium (Playwright driving Debian's chromium)."""

    def __init__(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        self._page = self._browser.new_context(offline=True).new_page()

    def pdf(self, html: str) -> bytes:
        self._page.set_content(html)
        return self._page.pdf(format="A4", margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


# ---- layouts -----------------------------------------------------------------------------------------

def _rows(items: list[Item], table: str, prefix: str = "") -> list[Row]:
    return [it for it in items if isinstance(it, Row) and it.table == table and it.code.startswith(prefix)]


def drop_labels(items: list[Item], codes: set[str]) -> list[Item]:
    return [replace(it, label="") if isinstance(it, Row) and it.code in codes else it for it in items]


def labels_together(items: list[Item], first: str) -> list[Item]:
    """The label of the row after ``first`` moved up above ``first``'s numbers: L1 L2 V1 V2."""
    out = list(items)
    i = next(k for k, it in enumerate(out) if isinstance(it, Row) and it.code == first)
    a, b = out[i], out[i + 1]
    assert isinstance(a, Row) and isinstance(b, Row)
    out[i:i + 2] = [Mark(a.label), Mark(b.label), Row(a.table, a.code, "", a.values), Row(b.table, b.code, "", b.values)]
    return out


def t4_split(items: list[Item], orig: Original) -> list[Item]:
    """表四 as three small tables, each under its own heading with 结果维持…总计."""
    i = next(k for k, it in enumerate(items) if isinstance(it, Mark) and it.text.startswith("四、政府信息公开"))
    j = next(k for k, it in enumerate(items) if isinstance(it, Row) and it.table == "t4")
    new: list[Item] = []
    for block, heading in T4_BLOCKS:
        new.append(Mark(heading))
        new += [Mark(h) for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
        new.append(Row("t4", block, "", raw_of(orig, "t4", block)))
    return items[:i + 1] + new + items[j + 1:]


def t4_garbled(items: list[Item]) -> list[Item]:
    """表四 as one row of 15 numbers under a header the converter garbled."""
    out = []
    for it in items:
        if isinstance(it, Mark) and it.text in T4_HEADER:
            continue
        if isinstance(it, Row) and it.table == "t4":
            out.append(Mark("结维 果持 结纠 果正 其结 他果 尚审 未结 总计"))
        out.append(it)
    return out


def t3_placeholders(items: list[Item]) -> list[Item]:
    names = iter(["数据1", "数据2", "数据3", "数据4", "数据5", "数据6"])
    out: list[Item] = []
    for it in items:
        if isinstance(it, Mark) and it.text in T3_HEADER[1:] and it.text not in ("总计", "法人或其他组织"):
            out.append(Mark(next(names, "数据")))
        else:
            out.append(it)
    return out


def t3_second_header(items: list[Item]) -> list[Item]:
    """The 表三 header printed again in the middle (a page break repeats it)."""
    i = next(k for k, it in enumerate(items) if isinstance(it, Row) and it.code == "deny.internal")
    return items[:i] + [Mark(h) for h in T3_HEADER] + items[i:]


def blank_values(items: list[Item], codes: dict[str, tuple[int, ...]]) -> list[Item]:
    """The values at the given positions of the given rows printed as empty cells."""
    return [replace(it, values=["" if k in codes[it.code] else v for k, v in enumerate(it.values)])
            if isinstance(it, Row) and it.code in codes else it for it in items]


def run_together_provable(orig: Original, items: list[Item]) -> set[Key]:
    """Cells of rows whose run of digits splits one way only: one digit per column, every cell printed."""
    keep = []
    for it in items:
        if isinstance(it, Row) and it.label and all(len(v) == 1 and v.isdigit() for v in it.values):
            keep.append((it.table, it.code))
    return cells_of_rows(orig, keep)
