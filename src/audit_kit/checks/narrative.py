"""Text against tables: X-1…X-5 of docs/checks.md."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..extract.claims import GROUP_QUANTITIES, QUANTITIES, percentages, upheld_claims
from ..model import forms as tpl
from ..vocabulary import Status
from .arithmetic import T3_PARTS, T4_PARTS, _fmt
from .registry import Context, Result, check


def _narrative(ctx: Context) -> list[tuple[str, str]]:
    """(section, text) of the prose sections (一, 四, 五, 六 and the prose around the tables)."""
    return [(num, sec["text"]) for num, sec in ctx.report.sections.items() if sec["text"]]


def _value(ctx: Context, table: str, row: str, col: str) -> float | None:
    """A table figure for comparison with the text: a blank 表三 总计 is replaced by the sum of its row."""
    if table == "t3" and col == "total" and (ctx.is_blank(table, row, col) or not ctx.has(table, row, col)):
        parts = [ctx.num("t3", row, c) for c in T3_PARTS]
        return None if any(p is None for p in parts) else sum(p or 0 for p in parts)
    return ctx.num(table, row, col)


def _table_name(ctx: Context, cells: list[tuple[str, str, str]]) -> str:
    """What the text is compared with, as the message says it: 表三 (with how a blank 总计 was counted)."""
    table = cells[0][0] if cells else "t3"
    name = tpl.TABLE_NAMES.get(table, "表格")
    if table == "t3" and any(c == "total" and (ctx.is_blank(table, r, c) or not ctx.has(table, r, c)) for _t, r, c in cells):
        return f"{name}（总计格空白，按六类申请人之和计）"
    return name


def _quantity(ctx: Context, quantity: str) -> tuple[list[tuple[str, str, str]], str]:
    if quantity in QUANTITIES:
        table, cells, name = QUANTITIES[quantity]
        return [(table, r, c) for r, c in cells], name
    rows = [r for r in tpl.rows("2021", "t3") if r.startswith(quantity + ".")]
    return [("t3", r, "total") for r in rows], GROUP_QUANTITIES[quantity]


@check("X-1", "warning", "正文中的申请、办理结果、复议诉讼数字与表格一致",
       needs=("sections",),
       remedy="核对正文与表格中的数字，更正不一致之处",
       example="正文称本年新收政府信息公开申请 258 件（“共收到申请258件”），而表三为 275")
def x1_numbers(ctx: Context) -> Iterator[Result]:
    """正文中关于申请（收到、受理、新收、办结、上年结转、结转下年度）、办理结果（予以公开、部分公开、不予公开、无法提供……）
    和复议诉讼（件数、“均获维持”）的数字与表格一致；阿拉伯数字和汉字数字（三件、一百零五件）都读，约数只提示人工核对。
    每条结果附原句。"""
    found = False
    for section, text in _narrative(ctx):
        for c in (c for num, c in ctx.claims() if num == section):
            found = True
            cells, name = _quantity(ctx, c.quantity)
            span = {"section": section, "text": c.sentence, "source": f"第{section}部分"}
            evidence = [*(ctx.ev(*k) for k in cells), span]
            values = [_value(ctx, *k) for k in cells]
            loc = cells[0]
            where = f"{section}:{c.quantity}:{c.phrase}"
            if any(v is None for v in values):
                yield Result(Status.NOT_ASSESSABLE, f"正文称{name} {c.value} 件（“{c.phrase}”），表格中对应单元格未读到",
                             loc[0], loc[1], loc[2], actual=c.value, evidence=evidence, where=where)
                continue
            table_value = sum(v or 0 for v in values)
            if c.approximate:
                yield Result(Status.NOT_ASSESSABLE, f"正文称{name}约 {c.value} 件（“{c.phrase}”），为约数，{_table_name(ctx, cells)}为 "
                             f"{_fmt(table_value)}，请人工核对", loc[0], loc[1], loc[2], expected=table_value,
                             actual=c.value, evidence=evidence, where=where)
            elif table_value == c.value:
                yield Result(Status.PASS, f"正文称{name} {c.value} 件，与{_table_name(ctx, cells)}一致", loc[0], loc[1], loc[2],
                             expected=table_value, actual=c.value, evidence=evidence, where=where)
            else:
                yield Result(Status.FAIL, f"正文称{name} {c.value} 件（“{c.phrase}”），而{_table_name(ctx, cells)}为 {_fmt(table_value)}",
                             loc[0], loc[1], loc[2], expected=table_value, actual=c.value, evidence=evidence,
                             where=where)
        for block, sentence in upheld_claims(text):
            found = True
            blocks = ["review"] if block == "review" else ["lit_direct", "lit_after_review"]
            cells = [("t4", b, p) for b in blocks for p in T4_PARTS if p != "upheld"]
            values = [ctx.num(*k) for k in cells]
            name = "行政复议" if block == "review" else "行政诉讼"
            span = {"section": section, "text": sentence, "source": f"第{section}部分"}
            if any(v is None for v in values):
                yield Result(Status.NOT_ASSESSABLE, f"正文称{name}均获维持，表四未读到", "t4", blocks[0], where=sentence,
                             evidence=[span])
                continue
            other = sum(v or 0 for v in values)
            evidence = [*(ctx.ev(*k) for k in cells if (ctx.num(*k) or 0) > 0), span]
            if other:
                yield Result(Status.FAIL, f"正文称{name}“均获维持”，而表四有 {_fmt(other)} 件纠正、其他结果或尚未审结",
                             "t4", blocks[0], expected=0, actual=other, evidence=evidence, where=sentence)
            else:
                yield Result(Status.PASS, f"正文称{name}均获维持，与表四一致", "t4", blocks[0], where=sentence,
                             evidence=evidence)
    if not found:
        yield Result(Status.NOT_ASSESSABLE, "正文中没有可与表格核对的数字")


_SHARE_OF = {"granted": "granted", "partial": "partial", "granted_partial": "granted_partial"}


@check("X-2", "warning", "正文中的百分比与重新计算的比例一致",
       needs=("sections", "t3"),
       remedy="按表三重新计算正文中的百分比并更正",
       example="正文称予以公开占 33.9%，而按表三重算为 93 ÷ 275 = 33.8%")
def x2_percent(ctx: Context) -> Iterator[Result]:
    """正文中的百分比（如“予以公开占 33.9%”）与按表三重新计算的比例一致：重算值与原文相差不到原文末位的一个单位
    （如 4.34% 与 4.348%，四舍五入或截尾的差别）即为一致。"""
    found = False
    base = _value(ctx, "t3", "outcomes_total", "total")
    for section, text in _narrative(ctx):
        by_sentence: dict[str, list] = {}
        for num, c in ctx.claims():
            if num == section:
                by_sentence.setdefault(c.sentence, []).append(c)
        for _what, pct, decimals, sentence in percentages(text):
            near = [c for c in by_sentence.get(sentence, []) if c.quantity in _SHARE_OF or c.quantity in GROUP_QUANTITIES]
            if not near:
                continue
            found = True
            c = near[-1]
            cells, name = _quantity(ctx, c.quantity)
            values = [_value(ctx, *k) for k in cells]
            span = {"section": section, "text": sentence, "source": f"第{section}部分"}
            if base is None or any(v is None for v in values) or not base:
                yield Result(Status.NOT_ASSESSABLE, f"正文称{name}占 {pct}%，表三数据不全，无法重算", "t3", "outcomes_total",
                             "total", actual=pct, evidence=[span], where=sentence)
                continue
            exact = 100 * sum(v or 0 for v in values) / base
            share = round(exact, decimals)
            evidence = [*(ctx.ev(*k) for k in cells), ctx.ev("t3", "outcomes_total", "total"), span]
            if abs(exact - pct) < 10 ** -decimals - 1e-9:  # within one unit of the last digit printed
                yield Result(Status.PASS, f"正文称{name}占 {pct}%，与按表三重算的 {exact:.{decimals + 1}f}% 一致", "t3",
                             cells[0][1], "total",
                             expected=share, actual=pct, evidence=evidence, where=sentence)
            else:
                yield Result(Status.FAIL, f"正文称{name}占 {pct}%，而按表三重算为 {_fmt(sum(v or 0 for v in values))} ÷ "
                             f"{_fmt(base)} = {share}%", "t3", cells[0][1], "total", expected=share, actual=pct,
                             evidence=evidence, where=sentence)
    if not found:
        yield Result(Status.NOT_ASSESSABLE, "正文中没有可重算的百分比")


def _section_missing(ctx: Context, num: str, what: str) -> Result:
    if ctx.truncated():
        return Result(Status.NOT_ASSESSABLE, f"报告被截断，未读到第{num}部分，无法核对{what}", where=num)
    return Result(Status.FAIL, f"报告没有第{num}部分，未说明{what}", where=num)


@check("X-3", "warning", "2021 年起：第六部分说明信息处理费收取情况",
       needs=("sections",), applies=lambda ctx: (ctx.meta.get("report_year") or 0) >= 2021,
       remedy="在第六部分说明信息处理费的收取情况",
       example="第六部分没有说明信息处理费的收取情况（收取或未收取）")
def x3_fees(ctx: Context) -> Iterator[Result]:
    """2021 年度起：第六部分说明信息处理费的收取情况（收取了多少或未收取）；表三“因逾期未缴费不再处理”大于 0 时，
    第六部分应提到收费通知——写明收取了信息处理费（金额大于 0）也算，因为收费须先发出收费通知。证据引用原文中说明收费的整句。"""
    sec = ctx.report.sections.get("六")
    if sec is None:
        yield _section_missing(ctx, "六", "信息处理费收取情况")
        return
    text = sec["text"]
    fee = _sentence(text, _FEE)
    ev = [{"section": "六", "text": fee or _excerpt(text), "source": sec["source"]}]
    if fee is None:
        yield Result(Status.FAIL, "第六部分没有说明信息处理费的收取情况（收取或未收取）", where="六", evidence=ev)
    else:
        yield Result(Status.PASS, "第六部分说明了信息处理费收取情况", where="六", evidence=ev)
    unpaid = ctx.num("t3", "other.unpaid_fee", "total")
    if unpaid:
        cell = ctx.ev("t3", "other.unpaid_fee", "total")
        notice = _sentence(text, _NOTICE)
        charged = _charged(text)
        if notice is not None:
            yield Result(Status.PASS, f"表三有 {_fmt(unpaid)} 件逾期未缴费，第六部分提到了收费通知", "t3", "other.unpaid_fee",
                         "total", evidence=[cell, {"section": "六", "text": notice, "source": sec["source"]}])
        elif charged is not None:  # a fee is collected only on a fee notice: the notices were sent
            yield Result(Status.PASS, f"表三有 {_fmt(unpaid)} 件逾期未缴费；第六部分说明收取了信息处理费（收费须先发出收费通知）",
                         "t3", "other.unpaid_fee", "total",
                         evidence=[cell, {"section": "六", "text": charged, "source": sec["source"]}])
        else:
            said = "第六部分只说明了信息处理费情况，" if fee is not None else "第六部分"
            yield Result(Status.FAIL, f"表三有 {_fmt(unpaid)} 件申请因逾期未缴费不再处理，{said}未提发出收费通知的情况",
                         "t3", "other.unpaid_fee", "total", actual=unpaid, evidence=[cell, *ev])


_FEE = re.compile(r"信息处理费|处理费")
_NOTICE = re.compile(r"收费通知|缴费通知")
_NOT_CHARGED = re.compile(r"未收取|没有收取|不收取|未收|免收|无收取|未产生|均未|(?<![\d.，,])0\s*元|零元")
_AMOUNT = re.compile(r"(\d+(?:[.,，]\d+)*)\s*(?:万)?元")
_SENTENCE_END = re.compile(r"(?<=[。；！？\n])")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _sentence(text: str, pattern: re.Pattern[str]) -> str | None:
    """The first sentence of ``text`` (cut at 。；！？ or a line break) that matches ``pattern``."""
    return next((s for s in _sentences(text) if pattern.search(s)), None)


def _charged(text: str) -> str | None:
    """The sentence saying a fee was collected (an amount above 0 in 元), or None."""
    for s in _sentences(text):
        if _FEE.search(s) and not _NOT_CHARGED.search(s):
            amounts = [float(a.replace(",", "").replace("，", "")) for a in _AMOUNT.findall(s)]
            if any(x > 0 for x in amounts):
                return s
    return None


def _excerpt(text: str, limit: int = 200) -> str:
    """The start of ``text`` cut at a sentence end within ``limit`` characters (else at ``limit``, with …)."""
    if len(text) <= limit:
        return text
    cut = max((m.end() for m in re.finditer(r"[。；！？\n]", text[:limit])), default=0)
    return text[:cut].strip() if cut else text[:limit] + "…"


@check("X-4", "warning", "政府报告说明工作考核、社会评议和责任追究结果",
       needs=("sections",), applies=lambda ctx: ctx.meta.get("level") == "government",
       remedy="在第五部分说明工作考核、社会评议和责任追究结果",
       example="政府报告第一、五部分未提及评议、责任追究")
def x4_government(ctx: Context) -> Iterator[Result]:
    """人民政府（不含部门）的报告在第一或第五部分说明工作考核、社会评议和责任追究结果（《条例》第五十条）。"""
    texts = [(n, ctx.report.sections[n]) for n in ("一", "五") if n in ctx.report.sections]
    if not texts:
        yield _section_missing(ctx, "五", "工作考核、社会评议和责任追究结果")
        return
    joined = "".join(s["text"] for _, s in texts)
    missing = [w for w in ("考核", "评议", "责任追究") if w not in joined]
    ev = [{"section": n, "text": _excerpt(s["text"]), "source": s["source"]} for n, s in texts]
    if missing:
        yield Result(Status.FAIL, f"政府报告第一、五部分未提及{'、'.join(missing)}（条例第五十条要求报告工作考核、社会评议和责任追究结果）",
                     evidence=ev)
    else:
        yield Result(Status.PASS, "政府报告提及工作考核、社会评议和责任追究", evidence=ev)


@check("X-5", "info", "第五部分写明问题和改进措施",
       needs=("sections",),
       remedy="在第五部分写明存在的主要问题和改进措施",
       example="第五部分过于简单（18 字）")
def x5_problems(ctx: Context) -> Iterator[Result]:
    """第五部分写明存在的问题和改进措施，不是空白或一句话。"""
    sec = ctx.report.sections.get("五")
    if sec is None:
        yield _section_missing(ctx, "五", "存在的主要问题及改进情况")
        return
    text = sec["text"].strip()
    ev = [{"section": "五", "text": _excerpt(text), "source": sec["source"]}]
    lines = [ln for ln in text.splitlines() if ln.strip()]
    has_problem = bool(re.search(r"问题|不足|短板|差距|有待", text))
    has_measure = bool(re.search(r"措施|改进|下一步|将|加强|推进", text))
    if len(text) < 40 or (len(lines) <= 1 and len(text) < 80):
        yield Result(Status.FAIL, f"第五部分过于简单（{len(text)} 字）", where="五", evidence=ev)
    elif not (has_problem and has_measure):
        what = "问题" if not has_problem else "改进措施"
        yield Result(Status.FAIL, f"第五部分没有写明{what}", where="五", evidence=ev)
    else:
        yield Result(Status.PASS, "第五部分写明了问题和改进措施", where="五", evidence=ev)
