"""What audit_report.ipynb shows, in one call: in JupyterLab a page an auditor uses without code — a field to
pick the report (a stored report from a list, or a file path), the 审核结论 at the top that follows every
decision, the finding walker, the auditor's conclusion and the reviewer's 复核, then the tables, charts and
the cross-year comparison; when the memo is written (``memo=True``) the static 审核意见书.

Every callback here may run on another thread than the cell that built it (JupyterLab does so): failures are
shown in Chinese in the page, never only in the lab's log."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..errors import AuditKitError
from ..render import html as render
from ..vocabulary import ReviewVerdict, Verdict
from ..workspace.access import Audit, Workspace
from . import charts, report_view, tables
from .walker import FindingWalker

MEMO_HINT = ("写出审核意见书：在终端运行 audit-kit memo {rid} -o 审核意见书.html（--reviewer 复核人），"
             "或在批量审核时加 --memos；用浏览器打开生成的 HTML 文件并打印或另存为 PDF。")


def page(report: str = "", prior: str = "", store: str = "", ledger: str = "", auditor: str = "", reviewer: str = "",
         force_prior: bool = False, memo: bool = False) -> Any:
    """The memo (``memo``: one static piece of HTML) or the lab page (a widget) for ``report``; an empty
    ``report`` in the lab shows the picker only (the memo falls back to the bundled seed)."""
    if memo:
        audit = report_view.open_audit(report, prior, store, ledger, force_prior, auditor, reviewer)
        return report_view.memo(audit)
    return ReportPage(report, prior, store, ledger, auditor, reviewer, force_prior)


def _guarded(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A callback whose failure is said in the page (``what`` could not be done, and why)."""
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except AuditKitError as exc:
                self.message.value = str(render.message(f"{what}：{exc}", "error"))
            except Exception as exc:
                self.message.value = str(render.message(f"{what}：{type(exc).__name__}: {exc}", "error"))
            return None
        return run
    return wrap


class ReportPage:
    """The lab page of one report's audit: displayed as its ``.widget``; ``.audit`` and ``.walker`` once a
    report is open."""

    def __init__(self, report: str = "", prior: str = "", store: str = "", ledger: str = "", auditor: str = "",
                 reviewer: str = "", force_prior: bool = False) -> None:
        self.workspace = Workspace.find(store or None, ledger=ledger or None)
        self.prior, self.force_prior = prior, force_prior
        self.auditor_name, self.reviewer_name = auditor, reviewer
        self.audit: Audit | None = None
        self.walker: FindingWalker | None = None
        self.choices = self._choices()
        self.field = w.Combobox(value=report, options=list(self.choices), ensure_option=False,
                                placeholder="从列表选择工作区中的报告，或填入年报文件的路径", description="年报",
                                layout=w.Layout(width="70%"))
        self.open_button = w.Button(description="打开", button_style="primary", icon="folder-open")
        self.message = w.HTML()
        self.header = w.HTML()
        self.body = w.VBox()
        self.open_button.on_click(lambda _b: self.open())
        self.widget = w.VBox([w.HBox([self.field, self.open_button]), self.message, self.header, self.body])
        if report:
            self.open()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _choices(self) -> dict[str, str]:
        """The stored reports as "机关 年度 · 编号" → id (newest year first)."""
        from pathlib import Path

        from ..model.numbers import missing

        listing = self.workspace.reports.reports()
        out: dict[str, str] = {}
        for r in listing.sort_values(["report_year", "agency"], ascending=[False, True], na_position="last").itertuples():
            year = "" if missing(r.report_year) else f"{int(r.report_year)} 年度 "
            out[f"{render.text(r.agency) or '（机关未识别）'} {year}· {Path(str(r.source or '')).name} · {r.report_id}"] = str(r.report_id)
        return out

    @_guarded("未能打开年报")
    def open(self) -> None:
        """Open what the field names (a listed report, an id or a path) and build the page under it."""
        ref = self.choices.get(self.field.value.strip(), self.field.value.strip())
        if not ref:
            self.message.value = str(render.message("请先选择或填入要审核的年报", "error"))
            return
        self.message.value = str(render.message(f"正在打开 {ref} …"))
        audit = self.workspace.open(ref, self.prior, self.force_prior)
        audit.auditor = self.auditor_name or audit.auditor
        audit.reviewer = self.reviewer_name or audit.reviewer
        self.audit = audit
        self.walker = FindingWalker.for_audit(audit)
        self.walker.listeners.append(self.update_header)
        self.body.children = [self._section("逐条审核"), self.walker.widget, self._section("审核结论与复核"),
                              self._signing(audit), self._section("三张表、图表与跨年对比"), self._details(audit)]
        self.update_header()
        self.message.value = str(render.message(MEMO_HINT.format(rid=audit.report.report_id), "ok"))

    @staticmethod
    def _section(title: str) -> w.HTML:
        return w.HTML(str(render.heading(title, 3)))

    def update_header(self) -> None:
        """The 审核结论 and counts at the top, as the decisions now give them (after every decision)."""
        if self.audit is None:
            return
        self.header.value = str(report_view.cover(self.audit)) + str(report_view.sign_off(self.audit))
        verdict = getattr(self, "verdict", None)
        if verdict is not None and not self._verdict_chosen:  # follows the decisions until the auditor picks one
            self._setting = True
            try:
                verdict.value = report_view.conclusion_of(self.audit).derived.value
            finally:
                self._setting = False

    def _signing(self, audit: Audit) -> w.Widget:
        derived = report_view.conclusion_of(audit).derived
        self.verdict = w.Dropdown(options=[(v.zh, v.value) for v in Verdict], value=derived.value, description="审核结论")
        self.reason = w.Textarea(placeholder="结论的理由（可留空：按审核结论自动说明）", layout=w.Layout(width="100%"))
        self.conclude_button = w.Button(description="记录审核结论", button_style="primary")
        self.reviewer = w.Text(value=audit.reviewer, description="复核人", continuous_update=False)
        self.review_verdict = w.Dropdown(options=[(v.zh, v.value) for v in ReviewVerdict], description="复核意见")
        self.review_comment = w.Textarea(placeholder="复核意见（退回时请写明理由）", layout=w.Layout(width="100%"))
        self.review_button = w.Button(description="记录复核", button_style="warning")
        self._verdict_chosen, self._setting = False, False
        self.verdict.observe(lambda _c: setattr(self, "_verdict_chosen", self._verdict_chosen or not self._setting), names="value")
        self.conclude_button.on_click(lambda _b: self.conclude())
        self.review_button.on_click(lambda _b: self.review())
        return w.VBox([w.HBox([self.verdict, self.conclude_button]), self.reason,
                       w.HBox([self.reviewer, self.review_verdict, self.review_button]), self.review_comment])

    @_guarded("未能记录审核结论")
    def conclude(self) -> None:
        """Record the auditor's conclusion (the walker's 审核人) in the ledger's sign-offs."""
        assert self.audit is not None and self.walker is not None
        name = self.walker.auditor.value.strip()
        self.audit.workspace.signoffs.conclude(self.audit.report.report_id, self.verdict.value, self.reason.value, name)
        self.update_header()
        self.message.value = str(render.message(f"已记录审核结论：{Verdict(self.verdict.value).zh}（审核人 {name}）", "ok"))

    @_guarded("未能记录复核")
    def review(self) -> None:
        """Record the reviewer's 复核 of the auditor's conclusion (refused for the auditor); the name is saved."""
        assert self.audit is not None
        name = self.reviewer.value.strip()
        self.audit.workspace.signoffs.review(self.audit.report.report_id, self.review_verdict.value,
                                             self.review_comment.value, name)
        self.audit.workspace.save_settings(reviewer=name)
        self.audit.reviewer = name
        self.update_header()
        self.message.value = str(render.message(f"已记录复核：{ReviewVerdict(self.review_verdict.value).zh}（复核人 {name}）", "ok"))

    def _details(self, audit: Audit) -> w.Widget:
        grids = [w.HTML(str(tables.grid(audit.report, name, audit.results))) for name in ("t2", "t3", "t4")]
        pictures = [w.Image(value=charts.png(charts.fails_by_check(audit.results)), format="png"),
                    w.Image(value=charts.png(charts.outcomes(audit.report.cells)), format="png")]
        years = [w.HTML(str(report_view.pairing_line(audit)))]
        if audit.prior is not None:
            years.append(w.HTML(str(report_view.cross_year_section(audit))))
        years.append(w.HTML(str(report_view.trend_section(audit))))
        box = w.Accordion(children=[w.VBox(grids), w.VBox(pictures), w.VBox(years)], selected_index=None)
        for i, title in enumerate(("三张表", "图表", "跨年对比与历年趋势")):
            box.set_title(i, title)
        return box
