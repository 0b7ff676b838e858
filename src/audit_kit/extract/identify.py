"""Is this file a 政府信息公开工作年度报告 at all? Decided the same way for every format, after reading.

A file is taken as a report when it shows any of:
- a title naming 信息公开 (as :func:`audit_kit.extract.meta.find_title` finds it);
- a section heading of the template (一、总体情况 … 六、其他需要报告的事项);
- a row of 表二, 表三 or 表四 read from its tables;
- words only the template's tables or a report's title print (:data:`TEMPLATE_MARKS`: "第二十条第",
  "本年新制作数量", …), where the table itself could not be read;
- the report's own vocabulary: at least :data:`MIN_TERMS` distinct terms of :data:`REPORT_TERMS` in its
  opening text. A prose-only summary such as "一、收到申请情况 … 依申请公开 … 不予公开 … 无法提供" is
  a report whose tables are missing (F-3 fails), not an unrelated document.

Every report of the development corpus (51 real reports, truncated dumps and prose-only ones included)
shows at least one of these; a notice, a news page or a site's navigation shows none.
"""

from __future__ import annotations

from ..model.document import Document
from ..model.report import ReportMeta
from ..model.text import key

REPORT_TERMS = ("政府信息公开", "政务公开", "主动公开", "依申请公开", "信息公开申请", "予以公开", "部分公开",
                "不予公开", "无法提供", "不予处理", "上年结转", "结转下年度", "行政复议", "行政诉讼")
MIN_TERMS = 3
TEMPLATE_MARKS = ("信息公开工作年度报告", "第二十条第", "本年新制作数量", "本年新收政府信息公开申请", "本年度办理结果",
                  "结转下年度继续办理", "尚未审结")
_OPENING = 20_000  # characters of text the vocabulary is looked for in


def evidence(doc: Document, meta: ReportMeta, sections: dict, n_cells: int) -> str | None:
    """What shows the document is a report (a short Chinese phrase), or None when nothing does."""
    if n_cells:
        return f"读到表格单元格 {n_cells} 个"
    if sections:
        return "有模板的章节标题：" + "、".join(sections)
    if "信息公开" in key(meta.get("title") or ""):
        return f"标题“{meta['title']}”"
    parts, length = [], 0
    for line, _ in doc.lines():
        parts.append(line[:_OPENING - length])
        length += len(parts[-1])
        if length >= _OPENING:
            break
    text = key("".join(parts))
    marks = [t for t in TEMPLATE_MARKS if t in text]
    if marks:
        return "正文有年报模板的用语：" + "、".join(marks)
    terms = [t for t in REPORT_TERMS if t in text]
    if len(terms) >= MIN_TERMS:
        return "正文有年报用语：" + "、".join(terms)
    return None
