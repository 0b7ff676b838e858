"""Arithmetic inside one report: T2-*, T3-*, T4-* of docs/checks.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import forms as tpl
from ..model.numbers import implausible
from ..vocabulary import Status
from .grouping import BLANKS_DECIDE
from .registry import Context, Result, check

# Table shapes, from the template data (data/cells.csv); 表三 and 表四 are the same in both templates.
T3_COLS = tpl.table_columns("2021", "t3")  # 自然人 … 其他, 总计
T3_PARTS = tpl.parts("2021", "t3")  # the columns that add up to 总计
T4_BLOCKS = tpl.rows("2021", "t4")  # 行政复议, 未经复议直接起诉, 复议后起诉
T4_PARTS = tpl.parts("2021", "t4")  # 结果维持, 结果纠正, 其他结果, 尚未审结


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _cells(ctx: Context, table: str) -> list[tuple[str, str]]:
    return [(r, c) for (t, r, c) in ctx.cells if t == table]


def _leaves(ctx: Context) -> list[str]:
    """The outcome rows whose sum is （七）总计, for the template the report uses."""
    base = [r for g in tpl.outcome_groups("2021") if g != "other" for r in tpl.group_rows("2021", "t3", g)]
    has_other = any(ctx.has("t3", "other", c) for c in T3_COLS)
    if ctx.template == "2019" or (ctx.template != "2021" and has_other):
        return [*base, "other"]
    return [*base, *tpl.group_rows("2021", "t3", "other")]


def _by_identity(ctx: Context, table: str) -> set[str]:
    """Rows whose cells the reader placed by this row's own identity (``how == "identity"``): checking
    that identity would prove nothing."""
    report = ctx.report
    columns = report.columns() if hasattr(report, "columns") else None
    if columns is None:
        frame = getattr(report, "cells", None)
        if frame is None or not hasattr(frame, "columns") or "how" not in frame.columns:
            return set()
        columns = {n: frame[n].tolist() for n in ("table", "row", "how")}
    if "how" not in columns:
        return set()
    return {r for t, r, h in zip(columns["table"], columns["row"], columns["how"], strict=True)
            if t == table and h == "identity"}


def _not_verifiable(table: str, row: str, col: str, text: str) -> Result:
    return Result(Status.NOT_ASSESSABLE, f"{text}：该行的数字连在一起印出，读取时已用本等式拆分各格，无法据此验证",
                  table, row, col)


def _blank_note(ctx: Context, table: str, cells: list[tuple[str, str]]) -> str:
    blanks = sum(ctx.is_blank(table, r, c) for r, c in cells)
    return f"（其中 {blanks} 格空白，按 0 计）" if blanks else ""


def _equation(ctx: Context, table: str, left: list[tuple[str, str]], right: list[tuple[str, str]],
              loc: tuple[str | None, str | None], text: str) -> Result:
    """left-sum = right-sum; not_assessable when a cell is missing or printed as text."""
    cells = left + right
    evidence = [ctx.ev(table, r, c) for r, c in cells]
    missing = [(r, c) for r, c in cells if ctx.num(table, r, c) is None]
    row, col = loc
    if missing:
        first = ctx.name(table, *missing[0])
        return Result(Status.NOT_ASSESSABLE, f"{text}：缺少 {len(missing)} 格（{first} 等，可能被截断或印为文字）",
                      table, row, col, evidence=evidence)
    lv = [ctx.num(table, r, c) or 0.0 for r, c in left]
    rv = [ctx.num(table, r, c) or 0.0 for r, c in right]
    ls, rs = sum(lv), sum(rv)
    terms_l = " + ".join(_fmt(x) for x in lv) if len(lv) <= 8 else f"{len(lv)} 项之和 {_fmt(ls)}"
    terms_r = " + ".join(_fmt(x) for x in rv) if len(rv) <= 8 else f"{len(rv)} 项之和 {_fmt(rs)}"
    ok = abs(ls - rs) < 1e-9
    msg = f"{text}：{terms_l}{' = ' if ok else ' ≠ '}{terms_r}{_blank_note(ctx, table, cells)}"
    if not ok and _blank_explains(ctx, table, left if ls < rs else right):
        # the smaller side has cells printed blank: the report did not fill them in, and what they hold decides
        # the equation — one problem (the blank cells, T2-4/T3-5), not one error per equation
        return Result(Status.NOT_ASSESSABLE, f"{msg}；{BLANKS_DECIDE}（未填数字），{BLANK_UNVERIFIABLE}",
                      table, row, col, expected=ls, actual=rs, evidence=evidence)
    unsure = (ctx.meta.get("ocr") or {}).get("cells", {})
    doubt = [ctx.name(table, r, c) for r, c in cells if unsure.get(ctx.cells[(table, r, c)][3], {}).get("uncertain")]
    if not ok and doubt:  # a misread is as likely as a real error: the auditor compares the crops
        return Result(Status.NOT_ASSESSABLE, f"{msg}（其中 {'、'.join(doubt)} 为低置信度 OCR 识别，可能是误读，"
                      "需人工对照原图核对）", table, row, col, expected=ls, actual=rs, evidence=evidence)
    return Result(Status.PASS if ok else Status.FAIL, msg, table, row, col, expected=ls, actual=rs, evidence=evidence)


BLANK_UNVERIFIABLE = "无法判断是否一致（空白格见同一张表的空白格发现）"


def _blank_explains(ctx: Context, table: str, smaller: list[tuple[str, str]]) -> bool:
    """Whether the smaller side of a failed equation holds a cell printed blank: some non-negative numbers
    written there would make it hold, so the equation cannot tell an error from a cell left unfilled."""
    return any(ctx.is_blank(table, r, c) for r, c in smaller)


@check("T3-1", "error", "表三 一+二 = （七）总计+四（每列）",
       needs=("t3",),
       remedy="核对表三各列，使“本年新收”与“上年结转”之和等于“办理结果总计”与“结转下年度继续办理”之和，更正错误数字",
       example="表三 自然人列：本年新收 + 上年结转 应等于 办理结果总计 + 结转下年度：12 + 1 ≠ 10 + 1")
def t3_identity(ctx: Context) -> Iterator[Result]:
    """表三每一列：一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理（模板表头印明的恒等式）。"""
    for col in T3_COLS:
        if not any(ctx.has("t3", r, col) for r in tpl.OUTSIDE_OUTCOMES):
            continue
        name = tpl.col_label("t3", "new", col)
        yield _equation(ctx, "t3", [("new", col), ("carried_in", col)], [("outcomes_total", col), ("carried_out", col)],
                        ("outcomes_total", col), f"表三 {name}列：本年新收 + 上年结转 应等于 办理结果总计 + 结转下年度")


@check("T3-2", "error", "表三 （七）总计 = 各办理结果之和（每列）",
       needs=("t3",),
       remedy="核对表三各列的办理结果，使“（七）总计”等于各办理结果之和",
       example="表三 总计列：（七）总计 应等于各办理结果之和：275 ≠ 22 项之和 258")
def t3_outcomes(ctx: Context) -> Iterator[Result]:
    """表三每一列：三（七）总计 = 各办理结果行（予以公开、部分公开、不予公开、无法提供、不予处理、其他处理）之和。"""
    leaves = _leaves(ctx)
    for col in T3_COLS:
        if not ctx.has("t3", "outcomes_total", col) and not any(ctx.has("t3", r, col) for r in leaves):
            continue
        name = tpl.col_label("t3", "new", col)
        yield _equation(ctx, "t3", [("outcomes_total", col)], [(r, col) for r in leaves], ("outcomes_total", col),
                        f"表三 {name}列：（七）总计 应等于各办理结果之和")


@check("T3-3", "error", "表三 每行 总计 = 六类申请人之和",
       needs=("t3",),
       remedy="核对表三各行，使“总计”等于六类申请人之和",
       example="表三“（一）予以公开”行：总计 应等于六类申请人之和：30 ≠ 20 + 5 + 0 + 0 + 2 + 1")
def t3_row_total(ctx: Context) -> Iterator[Result]:
    """表三每一行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。"""
    rows = dict.fromkeys(r for (t, r, _c) in ctx.cells if t == "t3")
    inferred = _by_identity(ctx, "t3")
    for row in rows:
        if row in inferred:
            yield _not_verifiable("t3", row, "total", f"表三“{tpl.row_label('t3', row)}”行：总计 应等于六类申请人之和")
            continue
        yield _equation(ctx, "t3", [(row, "total")], [(row, c) for c in T3_PARTS], (row, "total"),
                        f"表三“{tpl.row_label('t3', row)}”行：总计 应等于六类申请人之和")


@check("T4-1", "error", "表四 每块 总计 = 维持+纠正+其他+尚未审结",
       needs=("t4",),
       remedy="核对表四各块，使“总计”等于结果维持、结果纠正、其他结果与尚未审结之和",
       example="表四“行政复议”：总计 应等于 结果维持 + 结果纠正 + 其他结果 + 尚未审结：5 ≠ 3 + 1 + 0 + 0")
def t4_totals(ctx: Context) -> Iterator[Result]:
    """表四每一块（行政复议、未经复议直接起诉、复议后起诉）：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。"""
    inferred = _by_identity(ctx, "t4")
    for block in T4_BLOCKS:
        if not any(ctx.has("t4", block, p) for p in (*T4_PARTS, "total")):
            continue
        if block in inferred:
            yield _not_verifiable("t4", block, "total", f"表四“{tpl.row_label('t4', block)}”：总计 应等于各结果之和")
            continue
        yield _equation(ctx, "t4", [(block, "total")], [(block, p) for p in T4_PARTS], (block, "total"),
                        f"表四“{tpl.row_label('t4', block)}”：总计 应等于 结果维持 + 结果纠正 + 其他结果 + 尚未审结")


def _valid_counts(ctx: Context, table: str) -> Iterator[Result]:
    """Counts are integers ≥ 0 (2019 本年增/减 may be negative; 万元 up to 4 decimals)."""
    bad = False
    cells = _cells(ctx, table)
    for row, col in cells:
        value, status, raw, _src = ctx.cells[(table, row, col)]
        if status == "blank":
            continue
        kind = tpl.kind(ctx.template, table, row, col)
        problem = None
        if status == "text" and implausible(raw):
            digits = sum(ch.isdigit() for ch in raw)
            problem = f"印的是 {digits} 位数字（“{raw[:12]}…”），超出合理范围，未按数字读取"
        elif status == "text":
            problem = f"印的是“{raw}”，不是数字"
        elif kind == "money_wan":
            if value < 0:
                problem = f"金额为负数 {raw}"
            elif round(value, 4) != value:
                problem = f"金额“{raw}”超过 4 位小数"
        elif kind == "money_as_written":
            if value < 0:
                problem = f"金额为负数 {raw}"
        elif not float(value).is_integer():
            problem = f"“{raw}”不是整数"
        elif value < 0 and kind != "signed_count":
            problem = f"“{raw}”为负数"
        if problem:
            bad = True
            yield Result(Status.FAIL, f"{ctx.name(table, row, col)}{problem}", table, row, col, actual=raw,
                         evidence=[ctx.ev(table, row, col)])
    if not bad and cells:
        yield Result(Status.PASS, f"{tpl.TABLE_NAMES[table]}所有印出的数值均为合规的非负整数（或金额）", table)


@check("T2-1", "error", "表二 数值为非负整数，万元金额至多 4 位小数",
       needs=("t2",),
       remedy="表二的件数填写非负整数，金额按万元填写",
       example="表二“规章”“本年制发件数”印的是“-”，不是数字")
def t2_valid(ctx: Context) -> Iterator[Result]:
    """表二印出的数值都是数字：件数为非负整数（2019 版“本年增/减”可为负），万元金额至多 4 位小数。印成“/”“—”等文字的格也列出。"""
    yield from _valid_counts(ctx, "t2")


@check("T3-4", "error", "表三 数值为非负整数",
       needs=("t3",),
       remedy="表三的件数填写非负整数",
       example="表三“一、本年新收政府信息公开申请数量”“自然人”“3.5”不是整数")
def t3_valid(ctx: Context) -> Iterator[Result]:
    """表三印出的数值都是非负整数。"""
    yield from _valid_counts(ctx, "t3")


@check("T4-2", "error", "表四 数值为非负整数",
       needs=("t4",),
       remedy="表四的件数填写非负整数",
       example="表四“行政诉讼 复议后起诉·结果维持”“-1”为负数")
def t4_valid(ctx: Context) -> Iterator[Result]:
    """表四印出的数值都是非负整数。"""
    yield from _valid_counts(ctx, "t4")


@check("T2-2", "warning", "2019 格式：本年新公开 ≤ 对外公开总数，本年新制作 ≥ 本年新公开",
       needs=("t2",),
       remedy="核对表二主动公开的各项数量，更正不合逻辑的数字",
       example="表二“规章”行：本年新公开数量 5 大于对外公开总数量 3")
def t2_2019_order(ctx: Context) -> Iterator[Result]:
    """2019 版表二（启发式）：本年新公开数量不大于对外公开总数量，本年新制作数量不小于本年新公开数量。"""
    for row in ("rules", "normative"):
        if not any(ctx.has("t2", row, c) for c in ("made", "published", "total_published")):
            continue
        made, pub, total = (ctx.num("t2", row, c) for c in ("made", "published", "total_published"))
        ev = [ctx.ev("t2", row, c) for c in ("made", "published", "total_published")]
        label = tpl.row_label("t2", row)
        if pub is None or total is None or made is None:
            yield Result(Status.NOT_ASSESSABLE, f"表二“{label}”行缺少数值，无法比较", "t2", row, evidence=ev)
            continue
        problems = []
        if pub > total:
            problems.append(f"本年新公开数量 {_fmt(pub)} 大于对外公开总数量 {_fmt(total)}")
        if made < pub:
            problems.append(f"本年新制作数量 {_fmt(made)} 小于本年新公开数量 {_fmt(pub)}")
        if problems:
            yield Result(Status.FAIL, f"表二“{label}”行：" + "；".join(problems), "t2", row, evidence=ev)
        else:
            yield Result(Status.PASS, f"表二“{label}”行：新制作 {_fmt(made)} ≥ 新公开 {_fmt(pub)} ≤ 总数 {_fmt(total)}",
                         "t2", row, evidence=ev)


_NO_RULE_MAKING = ("县", "镇", "乡", "街道", "开发区", "新区", "园区", "管理区")


@check("T2-3", "warning", "表二 合理性：无规章制定权的机关报规章、万元金额像元、2019 处理决定数=项目数",
       needs=("t2",),
       remedy="核对表二中不合常理的项目（规章、金额单位、处理决定数量）",
       example="示例县教育局不具有规章制定权，却报告规章数量（1/1/1）")
def t2_plausible(ctx: Context) -> Iterator[Result]:
    """表二的合理性（启发式）：没有规章制定权的机关（乡镇、街道、县级部门等）报告了规章数量；“万元”栏的金额大到像是按“元”填的；
    2019 版处理决定数恰等于上一年项目数加本年增减（疑似把事项数填成决定数）。"""
    agency = ctx.meta.get("agency") or ""
    level = ctx.meta.get("level")
    rule_cells = [c for c in ("issued", "in_force", "made", "published", "total_published") if ctx.has("t2", "rules", c)]
    rules = [ctx.num("t2", "rules", c) or 0 for c in rule_cells]
    if rule_cells:
        cannot = level == "township" or (level != "government" and any(w in agency for w in _NO_RULE_MAKING))
        if any(rules) and cannot:
            yield Result(Status.FAIL, f"{agency or '该机关'}不具有规章制定权，却报告规章数量（{'/'.join(_fmt(x) for x in rules)}）",
                         "t2", "rules", evidence=[ctx.ev("t2", "rules", c) for c in rule_cells])
        elif any(rules) and not agency:
            yield Result(Status.NOT_ASSESSABLE, "报告了规章数量，但机关名称未识别，无法判断其是否有规章制定权", "t2", "rules")
        else:
            yield Result(Status.PASS, "规章数量与机关类型相符", "t2", "rules")
    if ctx.has("t2", "fees", "amount_wan"):
        fee = ctx.num("t2", "fees", "amount_wan")
        if fee is not None and fee >= 100000:
            yield Result(Status.FAIL, f"行政事业性收费 {_fmt(fee)} 万元（≥ 10 亿元），疑似把“元”填进了“万元”栏",
                         "t2", "fees", "amount_wan", actual=fee, evidence=[ctx.ev("t2", "fees", "amount_wan")])
        else:
            yield Result(Status.PASS, "行政事业性收费金额量级正常", "t2", "fees", "amount_wan")
    for row in ("licensing", "other_services", "penalty", "coercion"):
        prev, change, dec = (ctx.num("t2", row, c) for c in ("prev_items", "change", "decisions"))
        if None in (prev, change, dec) or not ctx.has("t2", row, "prev_items"):
            continue
        if prev + change > 0 and dec == prev + change:  # type: ignore[operator]
            yield Result(Status.FAIL, f"表二“{tpl.row_label('t2', row)}”处理决定数量 {_fmt(dec)} 恰等于上一年项目数量 + 本年增减"
                         f"（{_fmt(prev)} + {_fmt(change)}），疑似把事项数填成了处理决定数", "t2", row, "decisions",
                         evidence=[ctx.ev("t2", row, c) for c in ("prev_items", "change", "decisions")])


def _blanks(ctx: Context, table: str, what: str) -> Iterator[Result]:
    cells = _cells(ctx, table)
    blanks = [(r, c) for r, c in cells if ctx.is_blank(table, r, c)]
    for r, c in blanks:
        yield Result(Status.FAIL, f"{ctx.name(table, r, c)}格空白（未填 0），{what}", table, r, c,
                     evidence=[ctx.ev(table, r, c)])
    if cells and not blanks:
        yield Result(Status.PASS, f"{tpl.TABLE_NAMES[table]}没有空白格", table)


@check("T2-4", "info", "表二 空白格",
       needs=("t2",),
       remedy="表二的空白格填写数字（没有的填 0）",
       example="表二有 5 格空白（未填 0），计算时按 0 处理：“行政许可”行 本年增/减；“行政处罚”行 本年增/减；…")
def t2_blank(ctx: Context) -> Iterator[Result]:
    """表二中留空（既没有数字也没有 0）的格：每张表一条发现，列出全部空白格；计算时按 0 处理。"""
    yield from _blanks(ctx, "t2", "计算时按 0 处理")


@check("T3-5", "warning", "表三 空白格（如办理结果的总计列整列空白）",
       needs=("t3",),
       remedy="表三的空白格填写数字（没有的填 0），并核对填写后的勾稽关系",
       example="表三有 19 格空白（未填 0），计算时按 0 处理：“一、本年新收政府信息公开申请数量”行 自然人、商业企业；…")
def t3_blank(ctx: Context) -> Iterator[Result]:
    """表三中留空的格（例如办理结果各行的总计列整列空白）：每张表一条发现，列出全部空白格；计算时按 0 处理。
    表三整张没有数字时并入 F-3。"""
    yield from _blanks(ctx, "t3", "计算时按 0 处理")
