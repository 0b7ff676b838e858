"""Report metadata from the text: title, agency, year, 统计期限, publication date and level."""

from __future__ import annotations

import datetime as dt
import re

from ..model.document import Document
from ..model.report import ReportMeta
from ..model.text import as_printed, key, squash

_TITLE_WORDS = ("年度报告", "年报", "工作报告")
_YEAR_TITLE = re.compile(r"(20\d{2})年度?[^,。]{0,30}?政府信息公开")
_YEAR_ANY = re.compile(r"(20\d{2})年")
_PERIOD = re.compile(
    r"统计(?:期限|期间|时限|时间)?(?:为|是|从|自)?(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?(?:至|到|—|-|~)"
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
_PUB_LABEL = re.compile(r"(?:发布|公开|成文|印发)(?:日期|时间)[:：]?(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_DATE_LINE = re.compile(r"^(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})日?$")
_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_AGENCY_BEFORE = re.compile(r"^(?:关于)?(?P<a>.+?)(?:20\d{2})年度?")
_AGENCY_AFTER = re.compile(r"^(?:关于)?(?:20\d{2})年度?(?P<a>.+?)(?:本级)?政府信息公开")
_GLUED_TITLE = re.compile(r"^([^,。《]{0,40}?20\d{2}年度?[^,。《]{0,40}?政府信息公开工作年度报告)")
_PAGE = re.compile(r"^\s*Page\s*\d+\s*-\s*")
_NARRATIVE_AGENCY = re.compile(
    r"(?:现公布|现将|特编制|现发布|公布)(?:我局|本局)?(?P<a>[^,。《》]{2,30}?)(?:20\d{2})年度?政府信息公开")


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _is_agency_line(text: str) -> bool:
    k = key(text)
    return 2 <= len(k) <= 30 and not re.search(r"20\d{2}|[。,:]", k) and level_of(k) is not None


def find_title(doc: Document) -> tuple[str, str]:
    """The report title as printed (an agency line just above or below it joined), and its source."""
    lines = [(_PAGE.sub("", t).strip().strip("?"), s) for t, s in doc.lines()[:80] if t.strip()]
    for i, (text, src) in enumerate(lines):
        k = key(text)
        glued = _GLUED_TITLE.match(k)
        if glued and len(k) > 80:
            return glued.group(1), src
        has_year = re.search(r"20\d{2}", k)
        if (len(k) > 80 or "信息公开" not in k or text.count(" ") >= 3
                or not ("年度报告" in k or (has_year and any(w in k for w in _TITLE_WORDS)))
                or re.search(r"[。,]|首页|当前位置|您的位置", k) or (">" in k and "<" not in k)):
            continue
        if i > 0 and _is_agency_line(lines[i - 1][0]):
            return lines[i - 1][0] + text, lines[i - 1][1]
        if not agency_from_title(text) and i + 1 < len(lines) and _is_agency_line(lines[i + 1][0]):
            return text + lines[i + 1][0], src
        return text, src
    title = doc.hints.get("title") or ""
    return title, "page metadata" if title else ""


def agency_from_title(title: str) -> str | None:
    t = squash(as_printed(title))
    for pattern in (_AGENCY_AFTER, _AGENCY_BEFORE):
        m = pattern.search(t)
        if m and len(m.group("a")) >= 2:
            agency = m.group("a").strip("《》“”\"'的-_|")
            if agency and not agency.startswith("政府信息公开") and not re.search(r"[,。《》]", agency):
                return agency
    for text_pattern in (r"^(?P<a>.+?)(?:本级)?政府信息公开", r"(?:年度报告|工作报告)(?P<a>.+)$"):
        m = re.search(text_pattern, t)
        if m and level_of(m.group("a")):
            return m.group("a")
    return None


_PRONOUNS = ("我局", "本局", "我委", "本委", "我单位", "本单位", "本机关",
             "我办", "我街", "我镇", "我乡", "我县", "我区")


def level_of(agency: str | None) -> str | None:
    """government, department, township or None, from the agency's name. 管委会 of a 开发区/新区 acts
    as the local government and counts as one."""
    if not agency:
        return None
    a = key(agency)
    if a in _PRONOUNS:
        return None
    if re.search(r"(管委会|管理委员会)$", a):
        return "government"
    if re.search(r"(镇|乡|街道)(人民政府|政府|办事处)?$|街道办", a):
        return "township"
    if re.search(r"(人民政府|政府)$", a) or re.search(r"(省|市|县|区|旗|州|盟)$", a):
        return "government"
    if re.search(r"(局|委|委员会|办|办公室|厅|中心|院|站|所|队|处|会|署|馆|部|集团|公司)$", a):
        return "department"
    return None


def extract_meta(doc: Document) -> ReportMeta:
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
    year, year_source = None, None
    ym = _YEAR_TITLE.search(key(title)) if title else None
    if ym:
        year, year_source = int(ym.group(1)), "title"
    elif period:
        year, year_source = period[0].year, "period"
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
    if agency is None:
        am = _NARRATIVE_AGENCY.search(squash(as_printed(text[:3000])))
        if am and level_of(am.group("a")):
            agency = am.group("a")
    if year is None:
        ym = _YEAR_TITLE.search(k[:3000])
        if ym:
            year, year_source = int(ym.group(1)), "text"
    if year is None:
        years = [int(y) for y in _YEAR_ANY.findall(k[:3000]) if 2008 <= int(y) <= 2100]
        if years:  # the year the opening text speaks of most ("2019年,我局…")
            year, year_source = max(set(years), key=years.count), "text"
    return {
        "agency": agency,
        "level": level_of(agency),
        "report_year": year,
        "year_source": year_source,
        "title": title or None,
        "title_source": title_src or None,
        "period": period,
        "published": published,
        "url": doc.hints.get("url") or None,
    }
