"""Synthetic reports for samples, tests and benchmarks: consistent tables of either template, written
out as a text dump, a web page or a .docx in the layouts real reports use.

``python -m audit_kit.testing.samples DIR`` writes the bundled sample set.
"""

from __future__ import annotations

import argparse
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ..model import forms as tpl

# Table shapes and printed headers, from the template data (data/cells.csv, data/labels.csv).
T3_PARTS = tpl.parts("2021", "t3")
T3_COL_HEADERS = tuple(tpl.col_label("t3", "new", c) for c in tpl.table_columns("2021", "t3"))  # 自然人 … 总计
T4_BLOCKS = tpl.rows("2021", "t4")
T4_PARTS = tpl.table_columns("2021", "t4")  # the four results and 总计
T4_HEADERS = tuple(tpl.col_label("t4", "review", p) for p in T4_PARTS)
OUTCOME_GROUPS = {g: printed for g, (printed, _name) in tpl.outcome_groups("2021").items()}  # （三）不予公开 …
CAPTIONS = {"一": "第二十条第（一）项", "五": "第二十条第（五）项", "六": "第二十条第（六）项",
            "八": "第二十条第（八）项", "九": "第二十条第（九）项"}

Values = dict[tuple[str, str, str], float]


@dataclass
class SampleReport:
    """Everything a synthetic report prints."""

    agency: str
    year: int
    template: str
    values: Values
    published: str = ""
    narrative: dict[str, str] = field(default_factory=dict)


def make_values(template: str, rng: random.Random) -> Values:
    """Consistent tables: every T2/T3/T4 relation of docs/checks.md holds."""
    v: Values = {}
    for c in tpl.cells():
        if c.template == template and c.table == "t2":
            v[(c.table, c.row, c.col)] = float(rng.choice([0, 0, 1, 2, 5, 12, 40]))
    if template == "2021":
        v[("t2", "fees", "amount_wan")] = round(rng.uniform(0, 90), 2)
    else:
        for row in ("rules", "normative"):
            made = v[("t2", row, "made")]
            v[("t2", row, "published")] = made
            v[("t2", row, "total_published")] = made + rng.choice([0, 3, 20])
        for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
            v[("t2", row, "change")] = float(rng.choice([-2, 0, 0, 1, 3]))
            v[("t2", row, "prev_items")] = float(rng.choice([2, 5, 9, 30]))
            items = v[("t2", row, "prev_items")] + v[("t2", row, "change")]
            if row != "fees" and v[("t2", row, "decisions")] == items:
                v[("t2", row, "decisions")] += 1  # decisions typed as the item count is a T2-3 finding
        v[("t2", "procurement", "amount")] = float(rng.choice([0, 120000, 251000]))
    for c in tpl.cells():  # a county bureau makes no 规章 (T2-3 would rightly flag it)
        if c.template == template and c.table == "t2" and c.row == "rules":
            v[(c.table, c.row, c.col)] = 0.0
    t3_rows = tpl.rows(template, "t3")
    leaves = [r for r in t3_rows if r not in tpl.OUTSIDE_OUTCOMES]
    cols = tpl.columns(template, "t3", "new")[:-1]
    for col in cols:
        total = 0.0
        for row in leaves:
            x = float(rng.choice([0, 0, 0, 0, 1, 2, 6]))
            v[("t3", row, col)] = x
            total += x
        carried_in = float(rng.choice([0, 0, 1, 3]))
        carried_out = float(rng.choice([0, 1, 2]))
        new = total + carried_out - carried_in
        if new < 0:
            carried_in, new = total + carried_out, 0.0
        v[("t3", "outcomes_total", col)] = total
        v[("t3", "carried_in", col)] = carried_in
        v[("t3", "carried_out", col)] = carried_out
        v[("t3", "new", col)] = new
    for row in t3_rows:
        v[("t3", row, "total")] = sum(v[("t3", row, c)] for c in cols)
    for block in T4_BLOCKS:
        parts = [float(rng.choice([0, 0, 1, 2])) for _ in range(4)]
        for part, x in zip(T4_PARTS, [*parts, sum(parts)], strict=True):
            v[("t4", block, part)] = x
    return v


def make_report(template: str = "2021", year: int | None = None, seed: int = 0,
                agency: str = "示例县财政局") -> SampleReport:
    rng = random.Random(seed)
    year = year or (2020 if template == "2019" else 2023)
    values = make_values(template, rng)
    new, done = values[("t3", "new", "total")], values[("t3", "outcomes_total", "total")]
    granted = values[("t3", "granted", "total")]
    carried_in, carried_out = values[("t3", "carried_in", "total")], values[("t3", "carried_out", "total")]
    review = values[("t4", "review", "total")]
    narrative = {
        "一": (f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开。"
              f"全年共收到政府信息公开申请{int(new)}件，上年结转{int(carried_in)}件，办结{int(done)}件，"
              f"其中予以公开{int(granted)}件，结转下年度继续办理{int(carried_out)}件。"
              f"因政府信息公开被申请行政复议{int(review)}件。"),
        "五": ("（一）存在的主要问题：主动公开的深度和广度还需拓展，政策解读形式较为单一。\n"
              "（二）改进措施：一是加强业务培训；二是丰富解读形式；三是完善考核评议和责任追究制度。"),
        "六": f"{year}年未收取信息处理费。" if template == "2021" else "无其他需要报告的事项。",
    }
    published = f"{year + 1}年1月{rng.randint(10, 28)}日"
    return SampleReport(agency, year, template, values, published, narrative)


def link_years(prior: SampleReport, now: SampleReport, carry_ok: bool = True) -> None:
    """Make ``now`` follow ``prior``: 上年结转 = last year's 结转下年度 (per column, unless ``carry_ok`` is
    False: then 自然人 is one off), and 现行有效件数 carried forward (2021 template); T3-1 still holds."""
    v = now.values
    for col in T3_PARTS:
        v[("t3", "carried_in", col)] = prior.values[("t3", "carried_out", col)] + (0 if carry_ok or col != "natural" else 1)
        new = v[("t3", "outcomes_total", col)] + v[("t3", "carried_out", col)] - v[("t3", "carried_in", col)]
        if new < 0:
            v[("t3", "carried_out", col)] -= new
            new = 0.0
        v[("t3", "new", col)] = new
    for row in ("new", "carried_in", "carried_out"):
        v[("t3", row, "total")] = sum(v[("t3", row, c)] for c in T3_PARTS)
    if now.template == "2021" and prior.template == "2021":
        for row in ("rules", "normative"):
            v[("t2", row, "in_force")] = (prior.values[("t2", row, "in_force")] + v[("t2", row, "issued")]
                                         - v[("t2", row, "repealed")])
            if v[("t2", row, "in_force")] < 0:
                v[("t2", row, "repealed")] += v[("t2", row, "in_force")]
                v[("t2", row, "in_force")] = 0.0


def make_series(agency: str, years: list[int], break_after: int | None = None, seed: int = 0,
                names: dict[int, str] | None = None) -> list[SampleReport]:
    """Consecutive years of one agency (2021 template), linked year to year; the carry-over breaks
    going into year ``break_after + 1``. ``names`` renames the agency in some years."""
    out: list[SampleReport] = []
    for i, year in enumerate(years):
        r = make_report("2021", year, seed=seed + i, agency=(names or {}).get(year, agency))
        if out:
            link_years(out[-1], r, carry_ok=out[-1].year != break_after)
        out.append(r)
    return out


def _fmt(x: float) -> str:
    return f"{x:g}" if x != int(x) else str(int(x))


def _t2_blocks(r: SampleReport) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
    """(caption, column headers, [(row label, values)]) for each 表二 block."""
    out = []
    for block, rows in tpl.T2_BLOCKS.items():
        present = [row for row in rows if tpl.columns(r.template, "t2", row)]
        if not present:
            continue
        headers = [tpl.spec(r.template, "t2", present[0], col).col_label  # type: ignore[union-attr]
                   for col in tpl.columns(r.template, "t2", present[0])]
        body = []
        for row in present:
            label = next(c.row_label for c in tpl.cells() if c.template == r.template and c.row == row)
            vals = [r.values[("t2", row, col)] for col in tpl.columns(r.template, "t2", row)]
            cells = [_fmt(x) for x in vals]
            if row == "procurement":
                cells[-1] += "元"
            body.append((label, cells))
        out.append((CAPTIONS[block], headers, body))
    return out


def _t3_rows(r: SampleReport) -> list[tuple[str | None, str, list[str]]]:
    """(group label or None, row label, 7 values) for each 表三 row."""
    out = []
    for row in tpl.rows(r.template, "t3"):
        label = tpl.row_label("t3", row)
        group = None
        head = row.split(".")[0]
        if "." in row and head in OUTCOME_GROUPS:
            group = OUTCOME_GROUPS[head]
            label = label.split(" ", 1)[1]
        vals = [_fmt(r.values[("t3", row, c)]) for c in tpl.columns(r.template, "t3", row)]
        out.append((group, label, vals))
    return out


def _t4_values(r: SampleReport) -> list[str]:
    return [_fmt(r.values[("t4", b, p)]) for b in T4_BLOCKS for p in T4_PARTS]


def _intro(r: SampleReport) -> str:
    return (f"本报告由{r.agency}根据《中华人民共和国政府信息公开条例》编制。本报告所列数据统计期限为"
            f"{r.year}年1月1日至{r.year}年12月31日。")


def to_text(r: SampleReport) -> str:
    """A dump of a .docx as the seed is: one cell per line, tab-indented, rows separated by blank lines."""
    out = [r.agency, f"{r.year}年政府信息公开工作年度报告", "", _intro(r), "一、总体情况", r.narrative["一"],
           "二、主动公开政府信息情况"]
    for caption, headers, body in _t2_blocks(r):
        out += [f"\t{caption}", "", "\t信息内容", *[f"\t{h}" for h in headers], ""]
        for label, cells in body:
            out += [f"\t{label}", *[f"\t{c}" for c in cells], ""]
    out += ["三、收到和处理政府信息公开申请情况",
            "\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "\t申请人情况", *[f"\t{h}" for h in T3_COL_HEADERS], ""]
    last_group = None
    for group, label, vals in _t3_rows(r):
        if label.startswith("（一）"):
            out.append("三、本年度办理结果")
        if group and group != last_group:
            out.append(group)
        last_group = group
        out += [f"\t{label}", *[f"\t{x}" for x in vals], ""]
    out += ["四、政府信息公开行政复议、行政诉讼情况", "\t行政复议", "\t行政诉讼",
            *[f"\t{h}" for h in T4_HEADERS], "\t未经复议直接起诉", "\t复议后起诉",
            *[f"\t{h}" for h in T4_HEADERS * 2], "", *[f"\t{x}" for x in _t4_values(r)], "",
            "五、存在的主要问题及改进情况", r.narrative["五"], "六、其他需要报告的事项", r.narrative["六"], "",
            r.agency, r.published, ""]
    return "\n".join(out)


def to_html(r: SampleReport) -> str:
    """A Word-exported article: tables with rowspan/colspan, &nbsp; padding, declared GB2312-free UTF-8."""
    def para(text: str) -> Markup:
        return Markup("<p>{}</p>").format(text)

    def row(cells: list[str], attrs: list[str] | None = None) -> str:
        attrs = attrs or [""] * len(cells)
        tds = (Markup("<td{}><p>{}&nbsp;</p></td>").format(Markup(a), c) for c, a in zip(cells, attrs, strict=True))
        return Markup("<tr>{}</tr>").format(Markup("").join(tds))

    parts = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
             Markup("<title>{}{}年政府信息公开工作年度报告</title>").format(r.agency, r.year),
             "<meta name=\"PubDate\" content=\"\"></head><body><div class=\"nav\">首页 &gt; 政府信息公开</div>",
             Markup("<h1>{}{}年政府信息公开工作年度报告</h1>").format(r.agency, r.year), para(_intro(r)),
             "<p>一、总体情况</p>", para(r.narrative["一"]), "<p>二、主动公开政府信息情况</p>",
             "<table border=\"1\">"]
    for caption, headers, body in _t2_blocks(r):
        parts.append(row([caption], [" colspan=\"4\""]))
        parts.append(row(["信息内容", *headers]))
        parts.extend(row([label, *cells]) for label, cells in body)
    parts += ["</table>", "<p>三、收到和处理政府信息公开申请情况</p>", "<table border=\"1\">",
              row(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
                  [" colspan=\"3\" rowspan=\"3\"", " colspan=\"7\""]),
              row(["自然人", "法人或其他组织", "总计"], [" rowspan=\"2\"", " colspan=\"5\"", " rowspan=\"2\""]),
              row(list(T3_COL_HEADERS[1:6]))]
    t3 = _t3_rows(r)
    n_outcomes = sum(1 for g, lab, _ in t3 if not lab.startswith(("一、", "二、", "四、")))
    group_sizes: dict[str, int] = {}
    for g, _, _ in t3:
        if g:
            group_sizes[g] = group_sizes.get(g, 0) + 1
    seen_groups: set[str] = set()
    for group, label, vals in t3:
        cells, attrs = [], []
        if label.startswith("（一）"):
            cells.append("三、本年度办理结果")
            attrs.append(f" rowspan=\"{n_outcomes}\"")
        if group and group not in seen_groups:
            seen_groups.add(group)
            cells.append(group)
            attrs.append(f" rowspan=\"{group_sizes[group]}\"")
        span = " colspan=\"3\"" if label.startswith(("一、", "二、", "四、")) else (
            "" if group else " colspan=\"2\"")
        cells += [label, *vals]
        attrs += [span] + [""] * len(vals)
        parts.append(row(cells, attrs))
    parts += ["</table>", "<p>四、政府信息公开行政复议、行政诉讼情况</p>", "<table border=\"1\">",
              row(["行政复议", "行政诉讼"], [" colspan=\"5\"", " colspan=\"10\""]),
              row([*T4_HEADERS, "未经复议直接起诉", "复议后起诉"], [" rowspan=\"2\""] * 5 + [" colspan=\"5\""] * 2),
              row(list(T4_HEADERS * 2)), row(_t4_values(r)), "</table>",
              "<p>五、存在的主要问题及改进情况</p>",
              *[para(p) for p in r.narrative["五"].split("\n")],
              "<p>六、其他需要报告的事项</p>", para(r.narrative["六"]),
              Markup('<p style="text-align:right">{}</p><p style="text-align:right">{}</p>').format(r.agency, r.published),
              "<div class=\"footer\">版权所有</div></body></html>"]
    return "\n".join(parts)


def to_docx(r: SampleReport) -> bytes:
    """A .docx with the three tables; group labels of 表三 are vertically merged cells."""
    import docx

    d = docx.Document()
    d.add_paragraph(r.agency)
    d.add_paragraph(f"{r.year}年政府信息公开工作年度报告")
    d.add_paragraph(_intro(r))
    d.add_paragraph("一、总体情况")
    d.add_paragraph(r.narrative["一"])
    d.add_paragraph("二、主动公开政府信息情况")
    for caption, headers, body in _t2_blocks(r):
        width = 1 + len(headers)
        t = d.add_table(rows=0, cols=width)
        cap = t.add_row().cells
        cap[0].merge(cap[-1]).text = caption
        for cells in (["信息内容", *headers], *[[label, *vals] for label, vals in body]):
            rc = t.add_row().cells
            for i, text in enumerate(cells):
                rc[i].text = text
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t3 = _t3_rows(r)
    t = d.add_table(rows=0, cols=10)
    h = t.add_row().cells
    h[0].text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    h[3].merge(h[9]).text = "申请人情况"
    h2 = t.add_row().cells
    h2[3].text, h2[9].text = "自然人", "总计"
    h2[4].merge(h2[8]).text = "法人或其他组织"
    h3 = t.add_row().cells
    for i, text in enumerate(T3_COL_HEADERS[1:6]):
        h3[4 + i].text = text
    h[0].merge(h3[2])
    group_top: dict[str, object] = {}
    outcome_top = None
    for group, label, vals in t3:
        rc = t.add_row().cells
        if label.startswith(("一、", "二、", "四、")):
            rc[0].merge(rc[2]).text = label
        else:
            if outcome_top is None:
                outcome_top = rc[0]
                rc[0].text = "三、本年度办理结果"
            else:
                outcome_top = outcome_top.merge(rc[0])
            if group:
                if group in group_top:
                    group_top[group] = group_top[group].merge(rc[1])  # type: ignore[attr-defined]
                else:
                    rc[1].text = group
                    group_top[group] = rc[1]
                rc[2].text = label
            else:
                rc[1].merge(rc[2]).text = label
        for i, x in enumerate(vals):
            rc[3 + i].text = x
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t = d.add_table(rows=0, cols=15)
    a = t.add_row().cells
    a[0].merge(a[4]).text = "行政复议"
    a[5].merge(a[14]).text = "行政诉讼"
    b = t.add_row().cells
    c = t.add_row().cells
    for i, text in enumerate(T4_HEADERS):
        b[i].merge(c[i]).text = text
    b[5].merge(b[9]).text = "未经复议直接起诉"
    b[10].merge(b[14]).text = "复议后起诉"
    for i, text in enumerate(T4_HEADERS * 2):
        c[5 + i].text = text
    vals = t.add_row().cells
    for i, x in enumerate(_t4_values(r)):
        vals[i].text = x
    d.add_paragraph("五、存在的主要问题及改进情况")
    for p in r.narrative["五"].split("\n"):
        d.add_paragraph(p)
    d.add_paragraph("六、其他需要报告的事项")
    d.add_paragraph(r.narrative["六"])
    d.add_paragraph(r.agency)
    d.add_paragraph(r.published)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


WRITERS = {".txt": lambda r: to_text(r).encode("utf-8"), ".html": lambda r: to_html(r).encode("utf-8"),
           ".docx": to_docx}


def write(r: SampleReport, path: Path) -> Path:
    path.write_bytes(WRITERS[path.suffix](r))
    return path


def write_samples(out: Path) -> list[Path]:
    """The bundled sample set: both templates in every format, and a multi-year series: three years of
    one agency whose carry-over breaks once (2022 → 2023), and an agency renamed between years."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for template, year, agency in (("2021", 2023, "示例县财政局"), ("2019", 2020, "示例市生态环境局")):
        r = make_report(template, year, seed=int(year), agency=agency)
        for suffix in WRITERS:
            written.append(write(r, out / f"sample-{template}-{agency}{suffix}"))
    series = out / "series"
    series.mkdir(exist_ok=True)
    suffixes = (".txt", ".html", ".docx")
    for r, suffix in zip(make_series("示例县教育局", [2021, 2022, 2023], break_after=2022, seed=40,
                                     names={2021: "示例市示例县教育局"}), suffixes, strict=True):
        written.append(write(r, series / f"教育局-{r.year}{suffix}"))
    for r in make_series("示例县环境保护局", [2022, 2023], seed=60, names={2023: "示例县生态环境分局"}):
        written.append(write(r, series / f"环境局-{r.year}.txt"))
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="写出合成的示例年报（两种模板、各种格式）")
    ap.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    for p in write_samples(args.out):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
