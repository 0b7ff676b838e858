"""The workspace as an Excel workbook for auditors who decide in Excel or WPS, and the way back.

``export`` writes three sheets — 报告 (the stored reports), 发现 (the findings, fail and 无法判断, each with
its current decision) and 指标 (the indicators) — with Chinese headers, the header row frozen, an
autofilter, column widths set and every text cell neutralised against formulas (the rule of
``render/spreadsheet.py``; control characters a workbook cannot hold shown as ⟨U+001B⟩). The 发现 sheet
records per finding the ledger row it shows (审核记录号), so the way back (:mod:`.excel_import`) can tell
a decision recorded since the export.

A report of the workspace without stored results is checked now (loaded from the store, against its
prior-year report there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..model.numbers import missing
from ..render import places
from ..render.decisions import readable_time
from ..render.spreadsheet import cell_text
from ..vocabulary import Decision, Severity, Status
from ..workspace.access import Workspace

FINDINGS_SHEET = "发现"
DECISION_COL = "审核结论"
COMMENT_COL = "审核意见"
FINGERPRINT_COL = "编号"
REPORT_ID_COL = "报告编号"
LEDGER_ROW_COL = "审核记录号"  # the ledger row the export showed for the finding (empty: none)
BY_ZH = {d.zh: d.value for d in Decision}
READER_ZH = {"text": "文本", "html": "网页", "docx": "Word", "markdown": "Markdown 文本", "pdf": "PDF", "legacy": "Word（.doc/.wps）",
             "ocr": "OCR 识别", "image": "图片 OCR"}


@dataclass
class WorkspaceData:
    """What the workbook shows: reports, findings (with decisions) and indicators of a workspace."""

    reports: pd.DataFrame
    findings: pd.DataFrame
    indicators: pd.DataFrame
    left_out: list[str] = field(default_factory=list)  # stored reports that could not be read, one line each


def collect(ws: Workspace) -> WorkspaceData:
    """Every stored report of the workspace, its latest results (computed when none are stored) annotated
    with the ledger's decisions, and its indicators."""
    from ..checks.indicators import indicators

    reports = ws.reports.reports()
    results, ind, rows = [], [], []
    left_out: list[str] = []
    for r in reports.itertuples():
        report = ws.reports.get(r.report_id)
        if report is None:
            left_out.append(f"报告 {r.report_id}（{r.agency or Path(r.source or '').name}）的单元格文件缺失或损坏，"
                            "未导出其发现；用原文件重新运行 audit-kit batch 即可修复")
            continue
        audit = ws.open(r.report_id)  # the results every view shows (Workspace.findings)
        prior, pairing, res = audit.prior, audit.pairing, audit.results
        res = ws.ledger.annotate(res[res["status"] != "pass"].reset_index(drop=True))
        res["agency"], res["report_year"] = r.agency, r.report_year
        results.append(res)
        ind.append(indicators(report, prior))
        fails = res[res["status"] == "fail"]
        rows.append({"文件": Path(r.source or "").name, "机关": r.agency, "年度": r.report_year,
                     "模板": r.template, "读取方式": READER_ZH.get(r.reader, r.reader), "发布日期": r.published, "版本": r.version,
                     "上年报告": pairing, Status.FAIL.zh: len(fails),
                     Severity.ERROR.zh: int((fails["severity"] == Severity.ERROR).sum()),
                     "已审核": int((fails["decision"] != "").sum()), REPORT_ID_COL: r.report_id})
    findings = pd.concat(results, ignore_index=True) if results else pd.DataFrame()
    return WorkspaceData(pd.DataFrame(rows), findings, pd.concat(ind, ignore_index=True) if ind else pd.DataFrame(),
                         left_out)


def where_text(evidence: list[dict]) -> str:
    shown = [places.where(e.get("source")) for e in evidence if e.get("source")]
    more = f" 等 {len(shown)} 处" if len(shown) > 5 else ""
    return "；".join(shown[:5]) + more


def findings_frame(findings: pd.DataFrame) -> pd.DataFrame:
    """The 发现 sheet: one row per finding, Chinese headers, the decision columns to fill in last but one."""
    if findings.empty:
        return pd.DataFrame(columns=["机关", "年度", "检查", "严重程度", "结果", "说明", "位置", "当前结论", "审核人",
                                     "审核时间", DECISION_COL, COMMENT_COL, FINGERPRINT_COL, REPORT_ID_COL,
                                     LEDGER_ROW_COL])
    f = findings
    decided = f["decision"] != ""
    return pd.DataFrame({
        "机关": f["agency"], "年度": f["report_year"], "检查": f["check_id"],
        "严重程度": f["severity"].map(Severity.names()), "结果": f["status"].map(Status.names()), "说明": f["message"],
        "位置": f["evidence"].map(where_text), "当前结论": f["decision_zh"], "审核人": f["auditor"],
        "审核时间": f["decided_at"].map(readable_time),
        DECISION_COL: f["decision"].map(Decision.names()).where(decided, ""), COMMENT_COL: f["comment"].where(decided, ""),
        FINGERPRINT_COL: f["fingerprint"], REPORT_ID_COL: f["report_id"],
        LEDGER_ROW_COL: f["decision_id"].map(lambda i: int(i) or None).astype(object)})


def indicators_frame(ind: pd.DataFrame) -> pd.DataFrame:
    """The 指标 sheet: rates as fractions (shown as percentages by the cell format), counts as numbers."""
    if ind.empty:
        return pd.DataFrame(columns=["机关", "年度", "指标", "本年", "上年", "变化", REPORT_ID_COL])
    return pd.DataFrame({"机关": ind["agency"], "年度": ind["report_year"], "指标": ind["name"], "本年": ind["value"],
                         "上年": ind["prior_value"], "变化": ind["change"], REPORT_ID_COL: ind["report_id"],
                         "_rate": ind["indicator"].str.endswith("_rate")})


def _value(x: object) -> object:
    """A cell value for openpyxl: NaN/None empty, numpy numbers as Python numbers, text as a cell holds it."""
    if missing(x):
        return None
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    if isinstance(x, str):
        return cell_text(x)
    return x if isinstance(x, int | float) else cell_text(str(x))


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: dict[str, int], percent: pd.Series | None = None) -> None:
    ws = wb.create_sheet(title)
    columns = [c for c in frame.columns if not c.startswith("_")]
    ws.append(columns)
    for i, row in enumerate(frame[columns].itertuples(index=False)):
        ws.append([_value(v) for v in row])
        if percent is not None and bool(percent.iloc[i]):
            for col in ("本年", "上年", "变化"):
                ws.cell(row=i + 2, column=columns.index(col) + 1).number_format = "0.0%"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 2)}"
    for n, name in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(n)].width = widths.get(name, 12)


def write_workbook(data: WorkspaceData, out: Path) -> Path:
    """Write the three sheets to ``out`` (.xlsx)."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "报告", data.reports, {"文件": 28, "机关": 24, "上年报告": 50, REPORT_ID_COL: 18})
    found = findings_frame(data.findings)
    _sheet(wb, FINDINGS_SHEET, found, {"机关": 24, "说明": 70, "位置": 30, "当前结论": 12, "审核时间": 17,
                                       DECISION_COL: 12, COMMENT_COL: 40, FINGERPRINT_COL: 18, REPORT_ID_COL: 18})
    ws = wb[FINDINGS_SHEET]
    choices = DataValidation(type="list", formula1='"' + ",".join(Decision.names().values()) + '"', allow_blank=True)
    choices.error, choices.errorTitle = f"请选择：{'、'.join(Decision.names().values())}", DECISION_COL
    ws.add_data_validation(choices)
    col = get_column_letter(list(found.columns).index(DECISION_COL) + 1)
    choices.add(f"{col}2:{col}{max(ws.max_row, 2) + 500}")
    ind = indicators_frame(data.indicators)
    _sheet(wb, "指标", ind, {"机关": 24, "指标": 14, REPORT_ID_COL: 18}, ind.get("_rate"))
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def export(ws: Workspace, out: str | Path, left_out: list[str] | None = None) -> Path:
    """Export the workspace to the workbook ``out``; the stored reports that could not be read are added to
    ``left_out`` (one Chinese line each)."""
    data = collect(ws)
    if left_out is not None:
        left_out.extend(data.left_out)
    return write_workbook(data, Path(out))
