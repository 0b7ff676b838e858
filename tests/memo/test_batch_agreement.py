"""One source of truth: for one batch, decisions made in the batch notebook's walker, in the report
notebook's walker and through an Excel import are seen alike by both walkers, the Excel export, the
batch's index.html and the report's memo — every finding with the same decision state."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

from audit_kit.batch.client import run_batch
from audit_kit.memo.write import write_index, write_memo
from audit_kit.review import batch_view, excel, excel_import
from audit_kit.review.walker import FindingWalker
from audit_kit.vocabulary import UNDECIDED, Decision
from audit_kit.workspace.access import Workspace
from tests.conftest import ROOT

SERIES = ROOT / "data" / "samples" / "series"


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _fails(frame) -> dict[str, str]:
    """fingerprint → decision code ("" undecided) of the failing findings."""
    f = frame[frame["status"] == "fail"]
    return dict(zip(f["fingerprint"], f["decision"], strict=True))


def test_walkers_excel_index_and_memo_agree_on_every_decision(tmp_path):
    store, out = tmp_path / "audit-store", tmp_path / "out"
    run_batch(SERIES, out, store=store, progress=False)
    view = batch_view.open_batch(str(out), store=str(store))
    fails = view.results[view.results["status"] == "fail"]
    file = fails["file"].value_counts().index[0]  # the report with the most failing findings
    assert (fails["file"] == file).sum() >= 3, "the series is expected to have a report with three failing findings"
    rid = view.reports.loc[view.reports["file"] == file, "report_id"].iloc[0]

    # decided in three places: the batch notebook's walker, the report notebook's walker, an Excel import
    batch_walker = FindingWalker(view.results_of(file), view.ledger, None, "张审核", view.workspace)
    batch_walker.status.value = "fail"
    first = batch_walker._values()[0]
    batch_walker.list.value = first
    batch_walker.comment.value = "批量笔记本中确认"
    batch_walker.decide(Decision.CONFIRMED)
    ws = Workspace(store)
    report_walker = FindingWalker.for_audit(ws.open(rid))
    undecided = [i for i in report_walker._values() if report_walker.all.at[i, "decision"] == ""]
    report_walker.decide_many(Decision.DISMISSED, undecided[:1])
    book = excel.export(ws, tmp_path / "审核结果.xlsx")
    wb = load_workbook(book)
    sheet = wb["发现"]
    header = [c.value for c in sheet[1]]
    target = next(n for n, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), 2)
                  if row[header.index("报告编号")] == rid and row[header.index("结果")] == "不通过"
                  and row[header.index("当前结论")] == UNDECIDED)
    sheet.cell(row=target, column=header.index("审核结论") + 1, value="待核实")
    wb.save(book)
    assert excel_import.import_decisions(book, ws, "王审核").recorded == 1

    # what each view shows now
    seen = {"batch walker": _fails(FindingWalker(view.results_of(file), view.ledger, None, "", view.workspace).all),
            "report walker": _fails(FindingWalker.for_audit(ws.open(rid)).all)}
    again = load_workbook(excel.export(ws, tmp_path / "again.xlsx"))["发现"]
    codes = {zh: code for code, zh in Decision.names().items()}
    seen["excel"] = {r[header.index("编号")]: codes.get(r[header.index("当前结论")], "")
                     for r in again.iter_rows(min_row=2, values_only=True)
                     if r[header.index("报告编号")] == rid and r[header.index("结果")] == "不通过"}
    assert seen["batch walker"] == seen["report walker"] == seen["excel"], seen
    decisions = list(seen["excel"].values())
    counts = {d: decisions.count(d) for d in ("confirmed", "dismissed", "pending", "")}
    assert counts["confirmed"] == counts["dismissed"] == counts["pending"] == 1

    index = write_index(out, str(store / "ledger.sqlite"), store=str(store))
    page = _Cells()
    page.feed(index.read_text(encoding="utf-8"))
    row = next(r for r in page.rows if len(r) == 10 and r[8] == Path(file).name)
    assert row[4] == f"已审 3 / 共 {len(decisions)}" and row[3] == "1" and row[2].startswith("修改后发布")

    memo = write_memo(rid, tmp_path / "memo.html", store=str(store)).read_text(encoding="utf-8")
    line = re.search(r"其中确认问题 (\d+) 条、待核实 (\d+) 条、排除 (\d+) 条、未审核 (\d+) 条", memo)
    assert line and tuple(int(x) for x in line.groups()) == (1, 1, 1, counts[""])
    assert "批量笔记本中确认" in memo
