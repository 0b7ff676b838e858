"""Across years (report N against N−1 of the same agency): Y-1…Y-4 of docs/checks.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

from rapidfuzz.distance import Indel

from ..model import forms as tpl
from ..model.report import ReportMeta
from ..vocabulary import Status
from .arithmetic import T3_COLS, _fmt
from .registry import Context, Light, Result, check

TEXT_REUSE_THRESHOLD = 0.8
# What the cross-year checks read of a report: the rest can be left behind when many reports are kept.
PRIOR_ROWS = {("t3", "carried_in"), ("t3", "carried_out"), *(("t2", r) for r in (
    "rules", "normative", "licensing", "other_services", "penalty", "coercion", "fees"))}
PRIOR_SECTIONS = ("一", "五")
PRIOR_META = ("report_id", "agency", "report_year", "template", "source", "truncated")


def light(ctx: Context) -> Light:
    """What the cross-year checks read of a prepared report (some meta, the rows of PRIOR_ROWS, sections
    一/五), reusing its cell index."""
    whole: dict[str, object] = dict(ctx.meta)
    meta = cast(ReportMeta, {k: whole[k] for k in PRIOR_META if k in whole})
    meta["tables_read"] = sorted({k[0] for k in ctx.cells})
    return Light(meta,
                 {k: v for k, v in ctx.cells.items() if (k[0], k[1]) in PRIOR_ROWS},
                 {k: v for k, v in ctx.report.sections.items() if k in PRIOR_SECTIONS})


def _has_col(ctx: Context, col: str) -> bool:
    """Whether the report prints 表二 ``col`` cells (applicability by cells, not by the template label)."""
    return any(t == "t2" and c == col for t, _r, c in ctx.cells)


def _prior_ev(ctx: Context, table: str, row: str, col: str) -> dict:
    assert ctx.prior is not None
    ev: dict[str, Any] = {"table": table, "row": row, "col": col, "value": None, "raw": "", "status": "missing", "source": "",
          "report": ctx.prior.meta.get("source")}
    hit = ctx.prior_cells.get((table, row, col))
    if hit is not None:
        value, status, raw, source = hit
        ev.update(value=float(value) if status == "number" else None, raw=raw, status=status, source=source)
    return ev


def _prior_num(ctx: Context, table: str, row: str, col: str) -> float | None:
    ev = _prior_ev(ctx, table, row, col)
    return 0.0 if ev["status"] == "blank" else ev["value"]


@check("Y-1", "error", "上年结转（本年）= 结转下年度（上年），每列",
       needs=("t3", "prior"),
       remedy="核对本年“上年结转”与上年报告“结转下年度继续办理”，更正不一致之处",
       example="表三 自然人列：本年“上年结转” 3 ≠ 2022 年报告“结转下年度继续办理” 5")
def y1_carry(ctx: Context) -> Iterator[Result]:
    """表三每一列：本年“二、上年结转政府信息公开申请数量” = 上年报告“四、结转下年度继续办理”。"""
    prior_year = ctx.prior.meta.get("report_year")  # type: ignore[union-attr]
    for col in T3_COLS:
        now, before = ctx.num("t3", "carried_in", col), _prior_num(ctx, "t3", "carried_out", col)
        name = tpl.col_label("t3", "new", col)
        ev = [{**ctx.ev("t3", "carried_in", col), "report": ctx.meta.get("source")},
              _prior_ev(ctx, "t3", "carried_out", col)]
        if now is None or before is None:
            yield Result(Status.NOT_ASSESSABLE, f"表三 {name}列：本年“上年结转”或上年“结转下年度”未读到", "t3", "carried_in", col,
                         evidence=ev)
        elif now == before:
            yield Result(Status.PASS, f"表三 {name}列：本年上年结转 {_fmt(now)} = {prior_year} 年结转下年度 {_fmt(before)}",
                         "t3", "carried_in", col, expected=before, actual=now, evidence=ev)
        else:
            yield Result(Status.FAIL, f"表三 {name}列：本年“上年结转” {_fmt(now)} ≠ {prior_year} 年报告“结转下年度继续办理” "
                         f"{_fmt(before)}", "t3", "carried_in", col, expected=before, actual=now, evidence=ev)


@check("Y-2", "warning", "2021 格式：现行有效件数（本年）= 上年现行有效 + 本年制发 − 本年废止",
       needs=("t2", "prior"), applies=lambda ctx: _has_col(ctx, "in_force"),
       remedy="核对表二现行有效件数与上年报告的衔接",
       example="表二“行政规范性文件”现行有效 40 ≠ 上年 35 + 制发 8 − 废止 1 = 42（清理或口径变化也会造成差异）")
def y2_in_force(ctx: Context) -> Iterator[Result]:
    """规章和行政规范性文件（2021 版表二）：本年现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数（启发式：
    集中清理会打破它）。按单元格判断是否适用，不看模板标签：混用两版的报告只要有表二“现行有效件数”也核对。"""
    for row in ("rules", "normative"):
        now = ctx.num("t2", row, "in_force")
        issued, repealed = ctx.num("t2", row, "issued"), ctx.num("t2", row, "repealed")
        before = _prior_num(ctx, "t2", row, "in_force")
        label = tpl.row_label("t2", row)
        ev = [*(ctx.ev("t2", row, c) for c in ("issued", "repealed", "in_force")), _prior_ev(ctx, "t2", row, "in_force")]
        if None in (now, issued, repealed, before):
            yield Result(Status.NOT_ASSESSABLE, f"表二“{label}”：本年或上年的数值未读到", "t2", row, "in_force", evidence=ev)
            continue
        expected = before + issued - repealed  # type: ignore[operator]
        if now == expected:
            yield Result(Status.PASS, f"表二“{label}”现行有效 {_fmt(now)} = 上年 {_fmt(before)} + 制发 {_fmt(issued)} − 废止 "
                         f"{_fmt(repealed)}", "t2", row, "in_force", expected=expected, actual=now, evidence=ev)
        else:
            yield Result(Status.FAIL, f"表二“{label}”现行有效 {_fmt(now)} ≠ 上年 {_fmt(before)} + 制发 {_fmt(issued)} − 废止 "
                         f"{_fmt(repealed)} = {_fmt(expected)}（清理或口径变化也会造成差异）", "t2", row, "in_force",
                         expected=expected, actual=now, evidence=ev)


@check("Y-3", "warning", "2019 格式：上一年项目数量（本年）= 上年的上一年项目数量 + 本年增/减",
       needs=("t2", "prior"), applies=lambda ctx: _has_col(ctx, "prev_items"),
       remedy="核对表二上一年项目数量与上年报告的衔接",
       example="表二“行政许可”上一年项目数量 120 ≠ 上年 118 + 增减 5")
def y3_items(ctx: Context) -> Iterator[Result]:
    """2019 版表二的事项行（行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费）：
    本年“上一年项目数量” = 上年报告的“上一年项目数量” + 上年的“本年增/减”。按单元格判断是否适用。"""
    for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
        now = ctx.num("t2", row, "prev_items")
        before, change = _prior_num(ctx, "t2", row, "prev_items"), _prior_num(ctx, "t2", row, "change")
        label = tpl.row_label("t2", row)
        ev = [ctx.ev("t2", row, "prev_items"), _prior_ev(ctx, "t2", row, "prev_items"), _prior_ev(ctx, "t2", row, "change")]
        if None in (now, before, change):
            yield Result(Status.NOT_ASSESSABLE, f"表二“{label}”：本年或上年的项目数未读到", "t2", row, "prev_items", evidence=ev)
            continue
        expected = before + change  # type: ignore[operator]
        status = Status.PASS if now == expected else Status.FAIL
        sign = "=" if status == "pass" else "≠"
        yield Result(status, f"表二“{label}”上一年项目数量 {_fmt(now)} {sign} 上年 {_fmt(before)} + 增减 {_fmt(change)}",
                     "t2", row, "prev_items", expected=expected, actual=now, evidence=ev)


def similarity(a: str, b: str) -> tuple[float, list[str]]:
    """Indel similarity of two texts (rapidfuzz) and the passages of 20+ characters they share.

    Measured on a 1,300-character section 一: difflib.SequenceMatcher 4.8 ms, rapidfuzz 0.5 ms, with
    ratios within 0.02 of each other — rapidfuzz is the one a 10,000-report batch can afford.
    """
    ratio = Indel.normalized_similarity(a, b)
    if ratio < TEXT_REUSE_THRESHOLD / 2:
        return ratio, []
    spans = [(op.src_start, op.src_end) for op in Indel.opcodes(a, b) if op.tag == "equal" and op.src_end - op.src_start >= 20]
    return ratio, sentences_around(a, spans)


_END = re.compile(r"[。；！？\n]")
QUOTE_LIMIT = 150


def sentences_around(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The printed sentences of ``text`` that hold the reused spans (each once, in order): a quote never
    starts or ends inside a word or a number, as a raw matching block would ("年，…申请15")."""
    ends = [m.end() for m in _END.finditer(text)]
    whole: list[list[int]] = []  # the spans widened to sentences, overlapping ones merged
    for start, end in spans:
        first = max((e for e in ends if e <= start), default=0)
        last = next((e for e in ends if e >= end), len(text))
        if whole and first < whole[-1][1]:
            whole[-1][1] = max(whole[-1][1], last)
        else:
            whole.append([first, last])
    out: list[str] = []
    for first, last in whole:
        quote = text[first:last].strip()
        if len(quote) > QUOTE_LIMIT:  # a long sentence: cut at a comma inside the limit
            cut = max((i + 1 for i, ch in enumerate(quote[:QUOTE_LIMIT]) if ch in "，、,："), default=QUOTE_LIMIT)
            quote = quote[:cut] + "…"
        if quote and quote not in out:
            out.append(quote)
    return out


@check("Y-4", "warning", "第一、五部分不是照抄上年",
       needs=("prior",),
       remedy="按本年度的实际情况重新撰写与上年雷同的部分",
       example="第五部分与上年相似度 92%，大段照抄上年")
def y4_reuse(ctx: Context) -> Iterator[Result]:
    """第一部分和第五部分不是大段照抄上年报告：相似度（rapidfuzz Indel）达到阈值（默认 0.8）即不通过，并列出重复的段落。"""
    for num in ("一", "五"):
        now, before = ctx.report.sections.get(num), ctx.prior.sections.get(num)  # type: ignore[union-attr]
        if not now or not before or not now["text"] or not before["text"]:
            yield Result(Status.NOT_ASSESSABLE, f"本年或上年没有第{num}部分的正文", where=num)
            continue
        ratio, passages = similarity(now["text"], before["text"])
        ev = [{"section": num, "text": p, "source": now["source"]} for p in passages[:5]]
        msg = f"第{num}部分与上年相似度 {ratio:.0%}"
        status = Status.FAIL if ratio >= TEXT_REUSE_THRESHOLD else Status.PASS
        yield Result(status, msg + ("，大段照抄上年" if status == "fail" else ""), where=num, actual=round(ratio, 3),
                     expected=TEXT_REUSE_THRESHOLD, evidence=ev)
