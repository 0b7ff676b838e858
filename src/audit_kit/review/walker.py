"""The finding walker (ipywidgets): filter findings, step through them, see the evidence and the source
beside it, and record a decision — 确认问题 / 排除 / 待核实 — with a comment and the auditor's name. Every
decision is written to the ledger at once.

- The comment goes with the decision: the box is read when a decision is clicked; a comment changed later
  on a decided finding is recorded as a new ledger entry (same decision, new comment — the ledger is
  append-only); one typed on an undecided finding is kept as a draft until its decision.
- The auditor's name comes from the workspace's settings; a name typed here is saved there.
- After a decision the walker moves to the next undecided finding (wrapping), or says 全部已审核.
- Keys (ipyevents, while the mouse is over the finding): 1 / 2 / 3 the decisions, → or J next, ← or K previous.
- Several findings at once (批量审核): tick them in the second list (or 全选 the findings the filters show,
  e.g. every finding of one check) and record one decision with one comment for all of them.
- A callback that fails (a full disk, a locked ledger) says so in Chinese in the walker: JupyterLab runs
  callbacks in another thread and shows their exceptions only in its log console.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from ..model.report import Report
from ..render import html as render
from ..render import places
from ..render.html import Html
from ..vocabulary import STALE, UNDECIDED, Decision, Severity, Status
from ..workspace.access import Workspace
from ..workspace.ledger import Ledger
from .source_view import Source, load_source, source_view

ALL = "全部"
DECIDED = "已审核"  # the decision filter's choice for every decided finding
NEXT, PREVIOUS = "next", "previous"
KEYS: dict[str, str] = {"1": Decision.CONFIRMED, "2": Decision.DISMISSED, "3": Decision.PENDING,
                        "ArrowRight": NEXT, "j": NEXT, "J": NEXT, "ArrowLeft": PREVIOUS, "k": PREVIOUS, "K": PREVIOUS}
KEY_HINT = "键盘（鼠标停在下方发现上时）：1 确认问题 · 2 排除 · 3 待核实 · → 或 J 下一条 · ← 或 K 上一条"
_ANNOTATION = ["decision", "decision_zh", "comment", "auditor", "decided_at", "stale", "decision_id"]


def evidence_html(finding: pd.Series | dict, report: Report | None = None) -> Html:
    """The evidence of one finding as HTML (see :func:`audit_kit.render.html.evidence`); everything escaped."""
    return render.evidence(finding, report)


def _key_of(action: str) -> str:
    return next(k for k, a in KEYS.items() if a == action)


def _guarded(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A walker callback that never raises into the lab's log console: a failure is shown in the walker, in
    Chinese, saying what could not be done (``what``) and why."""
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(self: FindingWalker, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                where = f"（审核记录 {self.ledger.path}）" if "记录" in what else ""
                self.message.value = str(render.message(f"{what}{where}：{type(exc).__name__}: {exc}", "error"))
                return None
        return run
    return wrap


def label_of(r: Any) -> str:
    """A finding's line in the list: check, severity, result, decision and the message, never cut in a number."""
    return (f"[{r.check_id}] {Severity.zh_of(r.severity)} · {Status.zh_of(r.status)} · {r.decision_zh} · "
            f"{places.short(r.message, 60)}")


class FindingWalker:
    """Walk through the findings of one report or a batch. ``.widget`` is the box to display."""

    def __init__(self, results: pd.DataFrame, ledger: Ledger, report: Report | None = None, auditor: str = "",
                 workspace: str | Path | Workspace | None = None, advance: bool = True) -> None:
        self.ledger = ledger
        self.report = report
        self.workspace = Workspace(workspace) if isinstance(workspace, str | Path) else workspace
        self.all = ledger.annotate(results.reset_index(drop=True))
        self.drafts: dict[int, str] = {}  # comments typed on undecided findings, by row
        self._source: Source | None = None
        self._loading = False  # set while the walker itself fills the boxes: no change is the auditor's then
        checks = sorted(self.all["check_id"].unique())
        # Chinese labels, the stored values behind them (widgets take (label, value) pairs)
        self.severity = w.Dropdown(options=[(ALL, ALL), *((zh, v) for v, zh in Severity.names().items())], value=ALL,
                                   description="严重程度")
        self.check = w.Dropdown(options=[ALL, *checks], value=ALL, description="检查")
        self.status = w.Dropdown(options=[(ALL, ALL), *((zh, v) for v, zh in Status.names().items())], value="fail",
                                 description="结果")
        self.decision = w.Dropdown(options=[ALL, UNDECIDED, DECIDED, *Decision.names().values(), STALE], value=ALL,
                                   description="审核")
        self.list = w.Select(options=[], rows=8, layout=w.Layout(width="100%"))
        self.prev = w.Button(description="上一条", icon="arrow-left", tooltip=f"上一条（键 ← 或 {_key_of(PREVIOUS).upper()}）")
        self.next = w.Button(description="下一条", icon="arrow-right", tooltip=f"下一条（键 → 或 {_key_of(NEXT).upper()}）")
        self.advance = w.Checkbox(value=advance, description="记录后转到下一条未审核", indent=False)
        self.position = w.Label()
        self.detail = w.HTML()
        self.source = w.HTML()
        self.buttons = {d.value: w.Button(description=d.zh, button_style=s, tooltip=f"{d.zh}（键 {_key_of(d.value)}）")
                        for d, s in zip(Decision, ("danger", "success", "warning"), strict=True)}
        self.comment = w.Textarea(placeholder="审核意见", continuous_update=False, layout=w.Layout(width="100%"))
        if self.workspace is not None and not auditor:
            auditor = self.workspace.settings.auditor
        self.auditor = w.Text(value=auditor, description="审核人", continuous_update=False)
        self.message = w.HTML()
        self.listeners: list[Callable[[], None]] = []  # called after every decision recorded (the live header)
        self.pick = w.SelectMultiple(options=[], rows=6, layout=w.Layout(width="100%"))
        self.pick_all = w.Button(description="全选筛选出的发现", tooltip="选中上面筛选条件下的全部发现")
        self.pick_none = w.Button(description="清除选择")
        self.bulk = {d.value: w.Button(description=f"选中的发现：{d.zh}", button_style=s)
                     for d, s in zip(Decision, ("danger", "success", "warning"), strict=True)}
        self.bulk_comment = w.Textarea(placeholder="批量审核的意见（记入每一条）", layout=w.Layout(width="100%"))
        self.pick_all.on_click(lambda _b: self._pick_all())
        self.pick_none.on_click(lambda _b: setattr(self.pick, "value", ()))
        for d, b in self.bulk.items():
            b.on_click(lambda _b, d=d: self.decide_many(d))
        self.keys_hint = w.HTML(str(render.notice(KEY_HINT)))
        self.actions: dict[str, Callable[[], None]] = {d.value: partial(self.decide, d.value) for d in Decision}
        self.actions.update({NEXT: lambda: self.step(1), PREVIOUS: lambda: self.step(-1)})
        for f in (self.severity, self.check, self.status, self.decision):
            f.observe(lambda _change: self._filter_changed(), names="value")
        self.list.observe(lambda change: self._show(change["new"]), names="value")
        self.prev.on_click(lambda _b: self.actions[PREVIOUS]())
        self.next.on_click(lambda _b: self.actions[NEXT]())
        for d, b in self.buttons.items():
            b.on_click(lambda _b, d=d: self.actions[d]())
        self.comment.observe(lambda change: self._comment_changed(change["new"]), names="value")
        self.auditor.observe(lambda change: self._auditor_changed(change["new"]), names="value")
        self.finding = w.VBox([self.detail, self.source], layout=w.Layout(border="1px solid #ddd", padding="4px"))
        self.finding.add_class("ak-walker-finding")  # the browser test hovers it to press keys
        self.list.add_class("ak-walker-list")
        self.events = _key_events(self.finding, self.on_key)
        batch = w.Accordion(children=[w.VBox([self.pick, w.HBox([self.pick_all, self.pick_none]), self.bulk_comment,
                                              w.HBox(list(self.bulk.values()))])], selected_index=None)
        batch.set_title(0, "批量审核（选中多条发现，记录同一结论）")
        self.widget = w.VBox([
            w.HBox([self.severity, self.check]), w.HBox([self.status, self.decision]), self.list,
            w.HBox([self.prev, self.next, self.position, self.advance]),
            w.HBox(list(self.buttons.values())), self.comment, self.auditor, self.message, self.keys_hint,
            self.finding, batch,
        ])
        self.refresh()

    @classmethod
    def for_audit(cls, audit: Any) -> FindingWalker:
        """The walker of an audit opened by :func:`audit_kit.review.report_view.open_audit` (its workspace's settings)."""
        return cls(audit.results, audit.ledger, audit.report, audit.auditor, audit.workspace)

    # --- what is shown --------------------------------------------------------------------------------------

    def filtered(self) -> pd.DataFrame:
        """The findings the filters let through."""
        f = self.all
        if self.severity.value != ALL:
            f = f[f["severity"] == self.severity.value]
        if self.check.value != ALL:
            f = f[f["check_id"] == self.check.value]
        if self.status.value != ALL:
            f = f[f["status"] == self.status.value]
        if self.decision.value == DECIDED:
            f = f[f["decision"] != ""]
        elif self.decision.value != ALL:
            f = f[f["decision_zh"] == self.decision.value]
        return f

    def _values(self) -> list[int]:
        return [v for _l, v in self.list.options]

    def refresh(self) -> None:
        f = self.filtered()
        options = [(label_of(r), int(i)) for i, r in zip(f.index, f.itertuples(), strict=True)]
        keep = self.list.value
        picked = set(self.pick.value)
        self.pick.options = options
        self.pick.value = tuple(v for _label, v in options if v in picked)
        self.list.options = options
        values = [v for _label, v in options]
        first = next((v for v in values if self.all.at[v, "decision"] == ""), values[0] if values else None)
        self.list.value = keep if keep in values else first  # a new filter starts at its first undecided finding
        self._count()
        if not values:
            self.detail.value = str(render.notice("没有符合筛选条件的检查结果"))
            self.source.value = ""

    def _filter_changed(self) -> None:
        """New filters: the list again, at the next finding still open when the one shown is decided."""
        self.refresh()
        if self.list.value is not None and self.all.at[self.list.value, "decision"] != "":
            following = self._next_undecided(int(self.list.value))
            if following is not None:
                self.list.value = following

    def _count(self) -> None:
        """第 i / n 条（已审核 k 条） over the findings the filters let through."""
        values = self._values()
        i = values.index(self.list.value) + 1 if self.list.value in values else 0
        decided = int((self.all.loc[values, "decision"] != "").sum()) if values else 0
        self.position.value = f"第 {i} / {len(values)} 条（已审核 {decided} 条）"

    @property
    def current(self) -> pd.Series | None:
        return None if self.list.value is None else self.all.loc[self.list.value]

    def _show(self, index: int | None) -> None:
        if index is None:
            return
        r = self.all.loc[index]
        self._count()
        detail = render.finding_detail(r, Severity.zh_of(r["severity"], ""), Status.zh_of(r["status"]),
                                       evidence_html(r, self.report))
        self.detail.value = str(detail)
        self.source.value = str(self.source_html(r))
        self._loading = True
        try:
            self.comment.value = self.drafts.get(index) or (r["comment"] if r["decided_at"] and not r["stale"] else "")
        finally:
            self._loading = False

    def source_html(self, finding: pd.Series) -> Html:
        """The source beside ``finding`` (the original is read once per walker, when first needed)."""
        if self.report is None:
            return Html("")
        if self._source is None:
            self._source = load_source(self.report)
        return source_view(finding.to_dict(), self.report, self._source)

    # --- what the auditor does ------------------------------------------------------------------------------

    def step(self, delta: int) -> None:
        values = self._values()
        if not values:
            return
        i = values.index(self.list.value) if self.list.value in values else 0
        self.list.value = values[max(0, min(len(values) - 1, i + delta))]

    def on_key(self, event: dict) -> None:
        """A key pressed over the finding (an ipyevents keydown): the action of its button, if it has one."""
        if event.get("ctrlKey") or event.get("altKey") or event.get("metaKey") or event.get("repeat"):
            return
        action = KEYS.get(str(event.get("key", "")))
        if action is not None:
            self.actions[action]()

    def _next_undecided(self, index: int) -> int | None:
        """The first undecided finding after ``index`` in the filtered list, wrapping; None when none is left."""
        values = self._values()
        if index not in values:
            return None
        at = values.index(index)
        for v in values[at + 1:] + values[:at]:
            if self.all.at[v, "decision"] == "":
                return v
        return None

    def _reannotate(self, index: int) -> None:
        fresh = self.ledger.annotate(self.all.loc[[index]].drop(columns=_ANNOTATION))
        for col in _ANNOTATION:
            self.all.at[index, col] = fresh.iloc[0][col]

    @_guarded("未能记录审核结论")
    def decide(self, decision: str) -> None:
        """Write the decision on the current finding, with the comment in the box, to the ledger now; then
        move to the next undecided finding (when ``advance`` is ticked)."""
        r = self.current
        if r is None:
            self.message.value = str(render.message("没有选中的检查结果", "error"))
            return
        index = int(self.list.value)
        self.ledger.record(r, decision, self.comment.value, self.auditor.value)
        self.drafts.pop(index, None)
        self._reannotate(index)
        said = f"已记录：[{r['check_id']}] {Decision(decision).zh}"
        following = self._next_undecided(index) if self.advance.value else None
        self.refresh()
        if not (self.all.loc[self._values(), "decision"] == "").any():
            said += "。全部已审核"
        self.message.value = str(render.message(said, "ok"))
        self._notify()
        target = following if following in self._values() else (index if index in self._values() else self.list.value)
        if target != self.list.value:
            self.list.value = target  # shows it
        else:
            self._show(target)

    @_guarded("未能记录修改后的审核意见")
    def _comment_changed(self, text: str) -> None:
        """The auditor changed the comment: on a decided finding a new ledger entry (same decision, this
        comment); on an undecided one a draft that goes with its decision."""
        if self._loading or self.list.value is None:
            return
        index = int(self.list.value)
        r = self.all.loc[index]
        if not r["decision"]:
            self.drafts[index] = text
            return
        if text == r["comment"]:
            return
        self.ledger.record(r, r["decision"], text, self.auditor.value)
        self._reannotate(index)
        self.message.value = str(render.message(f"已更新意见：[{r['check_id']}] {r['decision_zh']}", "ok"))
        self.refresh()
        self._show(index)
        self._notify()

    def _pick_all(self) -> None:
        """Tick every finding the filters show, for one decision on all of them."""
        self.pick.value = tuple(self._values())

    @_guarded("未能记录批量审核结论")
    def decide_many(self, decision: str, indices: list[int] | None = None) -> int:
        """Record one decision, with the batch comment, on each ticked finding (``indices``: these instead);
        returns how many were recorded. Each is its own ledger entry, as if decided one by one."""
        chosen = list(self.pick.value) if indices is None else list(indices)
        if not chosen:
            self.message.value = str(render.message("请先在“批量审核”的列表中选中发现（或点“全选筛选出的发现”）", "error"))
            return 0
        for index in chosen:
            self.ledger.record(self.all.loc[index], decision, self.bulk_comment.value, self.auditor.value)
            self.drafts.pop(index, None)
            self._reannotate(index)
        self.pick.value = ()
        self.refresh()
        if self.list.value is not None and self.all.at[self.list.value, "decision"] != "" and self.advance.value:
            following = self._next_undecided(int(self.list.value))  # on to the next finding still open
            if following is not None:
                self.list.value = following
        if self.list.value is not None:
            self._show(self.list.value)
        self.message.value = str(render.message(f"已记录 {len(chosen)} 条：{Decision(decision).zh}", "ok"))
        self._notify()
        return len(chosen)

    def _notify(self) -> None:
        """Tell the views that follow the ledger (the live header of the notebook) that a decision was recorded."""
        for listener in self.listeners:
            listener()

    @_guarded("未能保存审核人")
    def _auditor_changed(self, name: str) -> None:
        """Save the auditor's name in the workspace's settings, so the next run starts with it."""
        if self.workspace is None:
            return
        self.workspace.save_settings(auditor=name.strip())
        self.message.value = str(render.message(f"审核人已保存到工作区设置：{name.strip() or '（空）'}", "ok"))


def _key_events(source: w.Widget, handler: Callable[[dict], None]) -> Any:
    """Key presses over ``source`` sent to ``handler`` (ipyevents: the widget takes the keyboard while the
    mouse is over it, so typing in the comment box elsewhere is never taken for a decision)."""
    try:
        from ipyevents import Event
    except ImportError:  # pragma: no cover - a dependency; the buttons work without it
        return None
    event = Event(source=source, watched_events=["keydown"], prevent_default_action=True)
    event.on_dom_event(handler)
    return event
