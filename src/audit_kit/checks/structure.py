"""Template and structure: F-1…F-3, S-1…S-4 of docs/checks.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..model import forms as tpl
from ..model.headings import HEADING_VARIANTS, OFFICIAL_HEADINGS, SECTION_NUMBERS
from ..model.text import key
from ..vocabulary import Status
from .registry import Context, Result, check

TABLE_SECTION = {"t2": "二", "t3": "三", "t4": "四"}
# Deadlines (条例 Art. 49): departments 31 Jan, governments 31 Mar of N+1. 乡镇/街道 are not set by
# Art. 49; the default follows governments and is configurable here.
DEADLINES = {"department": (1, 31), "government": (3, 31), "township": (3, 31)}


@check("F-1", "warning", "模板版本与报告年度相符",
       remedy="按报告年度适用的国家格式重新编制",
       example="2020 年度报告却使用 2021 版格式（2021 年 9 月印发），说明报告是在此后制作或修改的；应为 2019 版")
def f1_template_year(ctx: Context) -> Iterator[Result]:
    """按表格的行列标志判断模板版本（2019 版或 2021 版），与报告年度应使用的版本比较：2019–2020 年度用 2019 版（试行），
    2021 年度起用 2021 版。2020 年度报告用了 2021 版，说明报告是在 2021 年 9 月之后制作或修改的。"""
    template, year = ctx.template, ctx.meta.get("report_year")
    if template is None or year is None:
        what = "未能从表格判断模板版本" if template is None else "报告年度未识别"
        yield Result(Status.NOT_ASSESSABLE, f"{what}，无法核对模板版本")
        return
    expected = "2019" if year <= 2020 else "2021"
    markers = ctx.meta.get("layout", {}).get("markers", {})
    evidence = [{"section": "", "text": f"{t} 版标志：{'、'.join(m)}", "source": "表格标签"}
                for t, m in markers.items() if m]
    for r in _f1(template, expected, year):
        r.evidence = evidence
        yield r


def _f1(template: str, expected: str, year: int) -> Iterator[Result]:
    if template == expected:
        yield Result(Status.PASS, f"{year} 年度报告使用 {template} 版格式，相符", expected=expected, actual=template)
    elif template == "mixed":
        yield Result(Status.FAIL, f"{year} 年度报告的表格混用 2019 版和 2021 版格式（应为 {expected} 版）",
                     expected=expected, actual=template)
    elif template == "2021":
        yield Result(Status.FAIL, f"{year} 年度报告却使用 2021 版格式（2021 年 9 月印发），说明报告是在此后制作或修改的；"
                     f"应为 2019 版", expected=expected, actual=template)
    else:
        yield Result(Status.FAIL, f"{year} 年度报告仍使用 2019 版（试行）格式，应为 2021 版", expected=expected, actual=template)


@check("F-2", "warning", "模板的行和列齐全、无多余，不混用两版",
       remedy="按同一版国家格式补齐表格的行和列，不混用两版",
       example="表二中有模板之外的行“其他主动公开文件”")
def f2_rows(ctx: Context) -> Iterator[Result]:
    """模板的每一行都在、没有模板之外的行，也不混用两版（例如 2021 版表三里把“（六）其他处理”印成 2019 版的一行）；
    逐行列出问题。报告被截断时只核对读到的部分。"""
    lay = ctx.meta.get("layout")
    if lay is None:
        return
    problems: list[Result] = []
    for extra in lay["extra_rows"]:
        problems.append(Result(Status.FAIL, f"{tpl.TABLE_NAMES.get(extra['table'], '表格')}中有模板之外的行“{extra['label']}”",
                               extra["table"] or None, where=extra["label"],
                               evidence=[{"section": "", "text": extra["label"], "source": extra["source"]}]))
    if ctx.template == "mixed":
        for block, t in sorted(lay["block_templates"].items()):
            problems.append(Result(Status.FAIL, f"表二第二十条第（{block}）项使用 {t} 版的列", "t2", where=f"block {block}"))
        for r in lay["rows"]:
            if r["row"] == "other" and r["numbers"]:
                problems.append(Result(Status.FAIL, "表三“（六）其他处理”印成 2019 版的单独一行（2021 版分三行）", "t3", "other"))
    ref = ctx.template if ctx.template in tpl.TEMPLATES else None
    if ref:
        for table in ("t2", "t3"):
            expected = [r for r in tpl.rows(ref, table) if not (ref == "2021" and r == "other")]
            seen = [r["row"] for r in lay["rows"] if r["table"] == table]
            if not seen:
                continue
            last = max(expected.index(c) for c in seen if c in expected) if any(c in expected for c in seen) else -1
            for i, code in enumerate(expected):
                if code in seen or (i > last and ctx.truncated()):
                    continue
                problems.append(Result(Status.FAIL, f"{tpl.TABLE_NAMES[table]}缺少“{tpl.row_label(table, code)}”行",
                                       table, code))
    yield from problems
    if not problems:
        if ctx.truncated():
            yield Result(Status.NOT_ASSESSABLE, "报告被截断，只能核对已读到的行：未发现多余或缺少的行")
        elif ref:
            yield Result(Status.PASS, f"表格的行列与 {ref} 版格式一致")
        else:
            yield Result(Status.NOT_ASSESSABLE, "未能判断模板版本，无法核对行列")


@check("F-3", "error", "表二、表三、表四都在且有数字",
       remedy="补齐表二、表三、表四并填写数字",
       example="报告中没有表三")
def f3_tables(ctx: Context) -> Iterator[Result]:
    """表二、表三、表四都在，并且填了数字。整张表缺失、或只有表头和行名没有任何数字，都是错误；
    报告在表格之前被截断时为无法判断。"""
    order = ["t2", "t3", "t4"]
    present = {t: [k for k in ctx.cells if k[0] == t] for t in order}
    if not any(present.values()):  # no table at all: the text is there, the tables could not be read
        cut = "（文本不完整，可能被截断）" if ctx.truncated() else ""
        for table in order:
            name = tpl.TABLE_NAMES[table]
            yield Result(Status.FAIL, f"未能找到或读取{name}：报告中没有读到表二、表三、表四的任何一行{cut}，"
                         f"表格可能缺失、被截断或无法识别，需人工核对原件", table)
        return
    for i, table in enumerate(order):
        name = tpl.TABLE_NAMES[table]
        cells = present[table]
        if cells:
            numbers = [k for k in cells if ctx.cells[k][1] == "number"]
            if numbers:
                yield Result(Status.PASS, f"{name}在，印有 {len(numbers)} 个数字", table)
            else:
                yield Result(Status.FAIL, f"{name}只有表头和行名，没有填任何数字", table,
                             evidence=[ctx.ev(*k) for k in cells[:5]])
            continue
        later = any(present[t] for t in order[i + 1:]) or any(
            n in ctx.report.sections for n in SECTION_NUMBERS[SECTION_NUMBERS.index(TABLE_SECTION[table]) + 1:])
        if ctx.truncated() and not later:
            yield Result(Status.NOT_ASSESSABLE, f"报告在{name}之前被截断，未读到{name}", table)
        else:
            yield Result(Status.FAIL, f"报告中没有{name}", table)


@check("S-1", "error", "六个部分齐全且顺序正确",
       remedy="按国家格式补齐六个部分并按规定顺序排列",
       example="缺少第五部分“存在的主要问题及改进情况”")
def s1_sections(ctx: Context) -> Iterator[Result]:
    """正文六个部分（一、总体情况 … 六、其他需要报告的事项）齐全且按顺序出现；模板标题的常见变体也算在。"""
    sections = ctx.report.sections
    found = [n for n in SECTION_NUMBERS if n in sections]
    last = SECTION_NUMBERS.index(found[-1]) if found else -1
    for i, num in enumerate(SECTION_NUMBERS):
        official = OFFICIAL_HEADINGS[num]
        if num in sections:
            yield Result(Status.PASS, f"第{num}部分“{sections[num]['heading']}”在", where=num,
                         evidence=[{"section": num, "text": sections[num]["heading"], "source": sections[num]["source"]}])
        elif i > last and ctx.truncated():
            yield Result(Status.NOT_ASSESSABLE, f"报告被截断，未读到第{num}部分“{official}”", where=num)
        else:
            yield Result(Status.FAIL, f"缺少第{num}部分“{official}”", where=num)


@check("S-2", "info", "标题措辞和编号与模板一致",
       needs=("sections",),
       remedy="章节标题按国家格式的措辞和编号",
       example="第二部分标题印为“2、 主动公开政府信息情况”，模板为“二、主动公开政府信息情况”")
def s2_headings(ctx: Context) -> Iterator[Result]:
    """各部分标题的措辞和编号与模板一致（例如把“二、”印成“2、”，或把“其他需要报告的事项”印成“其他需要报告事项”）。"""
    for num, sec in ctx.report.sections.items():
        printed, official = sec["heading"], OFFICIAL_HEADINGS[num]
        ev = [{"section": num, "text": printed, "source": sec["source"]}]
        if key(printed) == key(official):
            yield Result(Status.PASS, f"第{num}部分标题与模板一致", where=num, evidence=ev)
        else:
            variant = any(key(printed) == key(v) for v in HEADING_VARIANTS.get(num, ()))
            why = "（常见变体）" if variant else ""
            yield Result(Status.FAIL, f"第{num}部分标题印为“{printed}”，模板为“{official}”{why}", where=num,
                         expected=official, actual=printed, evidence=ev)


@check("S-3", "warning", "年度一致：标题年度 = 统计期限年度，发布于次年",
       remedy="核对标题年度、统计期限和发布日期",
       example="统计期限为 2021-01-01 至 2021-12-31，与标题年度 2020 不符")
def s3_years(ctx: Context) -> Iterator[Result]:
    """标题中的年度与统计期限的年度一致，发布日期（如能读到）在报告年度的次年。"""
    m = ctx.meta
    year, period, published = m.get("report_year"), m.get("period"), m.get("published")
    if year is None or m.get("year_source") != "title":
        yield Result(Status.NOT_ASSESSABLE, "标题中没有年度，无法核对年度一致性")
        return
    problems, checked = [], []
    if period:
        checked.append(f"统计期限 {period[0]} 至 {period[1]}")
        if period[0].year != year or period[1].year != year:
            problems.append(f"统计期限为 {period[0]} 至 {period[1]}，与标题年度 {year} 不符")
    if published:
        checked.append(f"发布日期 {published}")
        if published.year != year + 1:
            problems.append(f"发布日期 {published} 不在 {year + 1} 年")
    if problems:
        yield Result(Status.FAIL, "；".join(problems), expected=year)
    elif checked:
        yield Result(Status.PASS, f"标题年度 {year} 与" + "、".join(checked) + "一致", expected=year)
    else:
        yield Result(Status.NOT_ASSESSABLE, f"标题年度 {year}，但报告没有印统计期限和发布日期，无法核对")


@check("S-4", "warning", "按时发布（部门 1 月 31 日、政府 3 月 31 日前）",
       remedy="今后按《条例》第四十九条规定的时限发布（部门 1 月 31 日前，政府 3 月 31 日前）",
       example="政府部门应于 2022-01-31 前发布，实际 2022-02-15，逾期 15 天")
def s4_deadline(ctx: Context) -> Iterator[Result]:
    """按《条例》第四十九条按时发布：政府部门在次年 1 月 31 日前，人民政府在次年 3 月 31 日前。需要发布日期（文中或网页信息中）
    。"""
    m = ctx.meta
    year, published, level = m.get("report_year"), m.get("published"), m.get("level")
    if published is None:
        yield Result(Status.NOT_ASSESSABLE, "报告和网页中都没有发布日期，需人工核实是否按时发布")
        return
    if year is None or level is None:
        what = "报告年度" if year is None else "机关类型（政府或部门）"
        yield Result(Status.NOT_ASSESSABLE, f"未能识别{what}，无法判断发布期限（发布日期 {published}）")
        return
    month, day = DEADLINES[level]
    deadline = dt.date(year + 1, month, day)
    who = {"department": "政府部门", "government": "人民政府", "township": "乡镇/街道（按政府期限）"}[level]
    if published <= deadline:
        yield Result(Status.PASS, f"{who}应于 {deadline} 前发布，实际 {published}", expected=str(deadline),
                     actual=str(published))
    else:
        late = (published - deadline).days
        yield Result(Status.FAIL, f"{who}应于 {deadline} 前发布，实际 {published}，逾期 {late} 天", expected=str(deadline),
                     actual=str(published))
