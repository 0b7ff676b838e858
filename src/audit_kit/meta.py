"""Report metadata from the text: title, agency, year, 统计期限, publication date and level."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .document import Document
from .normalize import key, squash

_TITLE_WORDS = ("年度报告", "年报", "工作报告")
_YEAR_TITLE = re.compile(r"(20\d{2})年?度?(?:本级)?政府信息公开")
_PERIOD = re.compile(
    r"统计(?:期限|期间|时限|时间)?(?:为|是|从|自)?(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?(?:至|到|—|-|~)"
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
_PUB_LABEL = re.compile(r"(?:发布|公开|成文|印发)(?:日期|时间)[:：]?(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_DATE_LINE = re.compile(r"^(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})日?$")
_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_AGENCY_BEFORE = re.compile(r"^(?:关于)?(?P<a>.+?)(?:20\d{2})年度?")
_AGENCY_AFTER = re.compile(r"^(?:关于)?(?:20\d{2})年度?(?P<a>.+?)(?:本级)?政府信息公开")
_PINYIN = re.compile(r"\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7})\)")


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def find_title(doc: Document) -> tuple[str, str]:
    """The report title as printed (an agency line above it joined), and its source."""
    lines = [(t.strip(), s) for t, s in doc.lines()[:12] if t.strip()]
    for i, (text, src) in enumerate(lines):
        k = key(text)
        if len(k) <= 80 and any(w in k for w in _TITLE_WORDS) and "政府信息公开" in k:
            if i > 0 and len(key(lines[i - 1][0])) <= 30 and not re.search(r"20\d{2}", lines[i - 1][0]):
                prev = lines[i - 1][0]
                if not re.search(r"[。，,:：]", prev):
                    return prev + text, lines[i - 1][1]
            return text, src
    title = doc.hints.get("title") or doc.hints.get("page_title") or ""
    return title, "page metadata" if title else ""


def agency_from_title(title: str) -> str | None:
    t = squash(_PINYIN.sub("", unicodedata.normalize("NFKC", title)))
    for pattern in (_AGENCY_AFTER, _AGENCY_BEFORE):
        m = pattern.search(t)
        if m and len(m.group("a")) >= 2:
            agency = m.group("a").strip("《》“”\"'的-_|")
            if agency and not agency.startswith("政府信息公开"):
                return agency
    return None


def level_of(agency: str | None) -> str | None:
    """government, department, township or None, from the agency's name."""
    if not agency:
        return None
    a = key(agency)
    if re.search(r"(镇|乡|街道)(人民政府|政府|办事处)?$|街道办", a):
        return "township"
    if re.search(r"(人民政府|政府)$", a) or re.search(r"(省|市|县|区|旗|州|盟)$", a):
        return "government"
    if re.search(r"(局|委|委员会|办|办公室|厅|中心|院|站|所|队|处|会|署|馆|部|集团|公司)$", a):
        return "department"
    return None


def extract_meta(doc: Document) -> dict:
    title, title_src = find_title(doc)
    text = "\n".join(t for t, _ in doc.lines())
    k = key(text[:20000])
    period = None
    m = _PERIOD.search(k)
    if m:
        start = _date(m.group(1), m.group(2), m.group(3))
        end = _date(m.group(4) or m.group(1), m.group(5), m.group(6))
        if start and end:
            period = (start, end)
    year = None
    ym = _YEAR_TITLE.search(key(title)) if title else None
    if ym:
        year = int(ym.group(1))
    elif period:
        year = period[0].year
    published = None
    hint = doc.hints.get("published", "")
    hm = _ISO.search(hint)
    if hm:
        published = _date(*hm.groups())
    if published is None:
        pm = _PUB_LABEL.search(k)
        if pm:
            published = _date(*pm.groups())
    if published is None:
        for line, _ in reversed(doc.lines()[-8:]):
            dm = _DATE_LINE.match(key(line))
            if dm:
                published = _date(*dm.groups())
                break
    agency = agency_from_title(title) if title else None
    return {
        "agency": agency,
        "level": level_of(agency),
        "report_year": year,
        "title": title or None,
        "title_source": title_src or None,
        "period": period,
        "published": published,
    }
