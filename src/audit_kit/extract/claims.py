"""Numbers the narrative states: numerals (Arabic, Chinese, separators, approximations) and the phrases
that attach a number to a table cell ("收到申请3119件" → 表三 一、本年新收 总计)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import forms as tpl
from ..model.text import clean

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
NUMERAL = r"(?:\d{1,3}(?:,\d{3})+|\d+|[零〇一二两三四五六七八九十百千万]+)"
_APPROX_BEFORE = ("约", "近", "逾", "超过", "大约")
_APPROX_AFTER = ("余", "多", "左右")


def parse_numeral(text: str) -> int | None:
    """"3,119" → 3119; "一百零五" → 105; "十二" → 12; "两" → 2. None when it is not a whole numeral."""
    t = text.replace(",", "")
    if t.isdigit():
        return int(t)
    if not t or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in t):
        return None
    total, section, digit = 0, 0, None
    for ch in t:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
    return total + section + (digit or 0)


@dataclass(frozen=True)
class Claim:
    """A figure the narrative states about a table quantity."""

    quantity: str  # a key of QUANTITIES
    value: int
    approximate: bool
    sentence: str
    phrase: str


# quantity → (table, [(row, col)] summed, Chinese name)
QUANTITIES: dict[str, tuple[str, list[tuple[str, str]], str]] = {
    "new": ("t3", [("new", "total")], "本年新收申请"),
    "carried_in": ("t3", [("carried_in", "total")], "上年结转申请"),
    "done": ("t3", [("outcomes_total", "total")], "办结（办理结果总计）"),
    "carried_out": ("t3", [("carried_out", "total")], "结转下年度继续办理"),
    "granted": ("t3", [("granted", "total")], "予以公开"),
    "partial": ("t3", [("partial", "total")], "部分公开"),
    "granted_partial": ("t3", [("granted", "total"), ("partial", "total")], "予以公开及部分公开"),
    "review": ("t4", [("review", "total")], "行政复议"),
    "litigation": ("t4", [("lit_direct", "total"), ("lit_after_review", "total")], "行政诉讼"),
}
_RESULTS = {part: tpl.col_label("t4", "review", part) for part in tpl.parts("2021", "t4")}  # 结果维持 …
for _part, _name in _RESULTS.items():
    QUANTITIES[f"review.{_part}"] = ("t4", [("review", _part)], f"行政复议{_name}")
    QUANTITIES[f"litigation.{_part}"] = ("t4", [("lit_direct", _part), ("lit_after_review", _part)],
                                         f"行政诉讼{_name}")
GROUP_QUANTITIES = {"deny": "不予公开", "unable": "无法提供", "noproc": "不予处理"}

_N = rf"(?P<pre>约|近|逾|超过|大约)?(?P<n>{NUMERAL})(?P<post>余|多)?(?:件|个|条|宗|起)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("granted_partial", re.compile(rf"予以公开(?:和|及|或)部分公开(?:的)?(?:申请)?(?:共|共计|合计)?{_N}")),
    ("carried_in", re.compile(rf"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(?:数量)?(?:为|共|共计)?{_N}")),
    ("carried_out", re.compile(rf"另有{_N}(?:申请)?(?:顺延|结转|转入)(?:至|到)?下(?:一)?年")),
    ("carried_out", re.compile(rf"(?:结转|顺延|转入)(?:至|到)?下(?:一)?年(?:度)?(?:继续)?(?:办理)?(?:的)?(?:申请)?(?:为|共)?{_N}")),
    ("new", re.compile(rf"(?:新收|收到|受理|接收|接到)(?:各类|各种)?(?:政府信息公开|依申请公开|信息公开)?"
                       rf"(?:政府信息)?(?:申请|请求)?(?:数量|总数)?(?:为|共|共计|合计)?{_N}")),
    ("done", re.compile(rf"(?:办结|答复|已办结|已答复|按时答复|依法答复)(?:了)?(?:申请)?(?:共|共计|合计)?{_N}")),
    ("granted", re.compile(rf"(?<!不)予以公开(?:的)?(?:申请)?(?:共|共计)?{_N}")),
    ("partial", re.compile(rf"部分公开(?:的)?(?:申请)?(?:共|共计)?{_N}")),
    ("deny", re.compile(rf"不予公开(?:的)?(?:申请)?(?:共|共计)?{_N}")),
    ("unable", re.compile(rf"无法提供(?:的)?(?:申请)?(?:共|共计)?{_N}")),
    ("noproc", re.compile(rf"不予处理(?:的)?(?:申请)?(?:共|共计)?{_N}")),
    ("review", re.compile(rf"(?:申请|提起|被申请)?行政复议(?:案件)?(?:共|共计)?{_N}")),
    ("litigation", re.compile(rf"(?:提起|被提起)?行政诉讼(?:案件)?(?:共|共计)?{_N}")),
]
_BREAKDOWN = [(part, re.compile(rf"{pattern}(?:的)?(?:共|为)?{_N}")) for part, pattern in (
    ("upheld", r"(?:结果)?维持"), ("corrected", r"(?:结果)?纠正"), ("other", r"其他结果"), ("pending", r"尚未审结"))]
_SENTENCE = re.compile(r"[^。；;!\n]+[。；;!\n]?")
_PERCENT = re.compile(r"(?P<what>[^,，。;；]{0,30}?)(?:占比|占|比例为|率为|率达|率)(?:到)?"
                      r"(?P<pct>\d+(?:\.\d+)?)%")


_COUNTED = re.compile(rf"{NUMERAL}\s*(?:余|多)?\s*(?:件|个|条|宗|起)")


def claims(text: str) -> list[Claim]:
    """Every figure the text states about a table quantity, with the sentence it came from."""
    out: list[Claim] = []
    if not _COUNTED.search(text):
        return out
    for sentence in _SENTENCE.findall(clean(text)):
        if not _COUNTED.search(sentence):
            continue
        s = sentence.replace(" ", "")
        taken: list[tuple[int, int]] = []
        for quantity, pattern in _PATTERNS:
            for m in pattern.finditer(s):
                if any(a <= m.start("n") < b for a, b in taken):
                    continue
                n = parse_numeral(m.group("n"))
                if n is None:
                    continue
                taken.append((m.start("n"), m.end("n")))
                approx = bool(m.group("pre") or m.group("post"))
                out.append(Claim(quantity, n, approx, sentence.strip(), m.group(0)))
                if quantity in ("review", "litigation"):
                    out.extend(_breakdown(quantity, s, m.end(), sentence.strip(), taken))
    return out


def _breakdown(block: str, s: str, start: int, sentence: str, taken: list[tuple[int, int]]) -> list[Claim]:
    """"复议 351 件，其中结果维持 72 件，结果纠正 64 件…" → one claim per result, up to the next block."""
    rest = s[start:]
    stop = re.search(r"行政诉讼|行政复议|。|;", rest)
    clause = rest[: stop.start()] if stop else rest
    if "其中" not in clause[:6]:
        return []
    out = []
    for part, pattern in _BREAKDOWN:
        m = pattern.search(clause)
        n = parse_numeral(m.group("n")) if m else None
        if m and n is not None:
            taken.append((start + m.start("n"), start + m.end("n")))
            out.append(Claim(f"{block}.{part}", n, bool(m.group("pre") or m.group("post")), sentence, m.group(0)))
    return out


def upheld_claims(text: str) -> list[tuple[str, str]]:
    """Sentences that say every 复议/诉讼 case was upheld ("均获维持", "全部维持"): (block, sentence)."""
    out: list[tuple[str, str]] = []
    if "维持" not in text and "胜诉" not in text:
        return out
    for sentence in _SENTENCE.findall(clean(text)):
        s = sentence.replace(" ", "")
        if re.search(r"(均|全部|都)(获|被|予以)?(维持|胜诉)", s):
            if "复议" in s:
                out.append(("review", sentence.strip()))
            if "诉讼" in s:
                out.append(("litigation", sentence.strip()))
    return out


def percentages(text: str) -> list[tuple[str, float, int, str]]:
    """Percentages stated in the text: (what, value, decimals printed, sentence)."""
    out: list[tuple[str, float, int, str]] = []
    if "%" not in text and "％" not in text:
        return out
    for sentence in _SENTENCE.findall(clean(text)):
        s = sentence.replace(" ", "")
        for m in _PERCENT.finditer(s):
            pct = m.group("pct")
            decimals = len(pct.split(".")[1]) if "." in pct else 0
            out.append((m.group("what"), float(pct), decimals, sentence.strip()))
    return out
