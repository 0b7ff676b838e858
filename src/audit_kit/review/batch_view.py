"""What audit_batch.ipynb shows of a batch output folder: summary, results by check, reports ranked by
errors, indicators and their change, a filterable table of reports and a report picker that opens one
report's findings in the finding walker."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..batch.outputs import MEMO_STATUS, memo_name
from ..render import html as render
from ..render.html import Html
from ..vocabulary import Severity, Status
from ..workspace.ledger import Ledger

if TYPE_CHECKING:
    import ipywidgets as w

    from ..model.report import Report
    from ..workspace.access import Workspace
    from .walker import FindingWalker

_ANNOTATION = ["decision", "decision_zh", "comment", "auditor", "decided_at", "stale", "decision_id"]  # the ledger's, added again
RANKING_COLUMNS = {"file": "文件", "agency": "机关", "report_year": "年度", "template": "格式",
                   "errors": Severity.ERROR.zh, "warnings": Severity.WARNING.zh, "infos": Severity.INFO.zh,
                   "pairing": "上年配对"}


def _whole(value: object) -> str:
    """A whole number read back from a CSV column with gaps (3.0) as "3"; missing as ""."""
    text = render.text(value)
    return text[:-2] if text.endswith(".0") else text


def _number(value: object) -> float:
    """A count read back from a column with gaps: NaN and None as 0."""
    return 0.0 if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def lab_root() -> Path | None:
    """The root folder of the Jupyter server this kernel runs under (JupyterLab serves only what lies
    inside it, at ``/files/…``), or None when the kernel is not a server's (nbclient, a plain Python).
    The server sets ``JPY_SESSION_NAME`` (the notebook's path) in its kernels' environment; the servers
    running are listed in the Jupyter runtime folder, which the kernel shares."""
    session = os.environ.get("JPY_SESSION_NAME")
    if not session:
        return None
    try:
        from jupyter_server.serverapp import list_running_servers

        roots = [Path(s["root_dir"]).resolve() for s in list_running_servers() if s.get("root_dir")]
    except (ImportError, OSError, ValueError, KeyError):  # no server information: the link stays relative
        return None
    notebook = Path(session).resolve()
    inside = [r for r in roots if notebook.is_relative_to(r)]
    return max(inside, key=lambda r: len(r.parts)) if inside else None


def memo_href(memo: Path, here: Path | None = None, root: Path | None = None) -> tuple[str, str]:
    """The link to a memo from where the notebook runs (the kernel's folder): a relative URL, which works
    in the exported index.html (written in the output folder: ``memos/…``) and in JupyterLab (the lab
    resolves it from the notebook's folder to ``/files/…``). In the lab a memo outside the server's root
    cannot be opened at all: then no link, and a note saying where the memo is."""
    from urllib.parse import quote

    target = memo.resolve()
    root = root if root is not None else lab_root()
    if root is not None and not target.is_relative_to(root):
        return "", f"在 JupyterLab 的根文件夹 {root} 之外，无法在此打开：{target}"
    rel = os.path.relpath(target, (here or Path.cwd()).resolve())
    return quote(Path(rel).as_posix(), safe="/"), ""


@dataclass
class BatchView:
    outdir: Path
    reports: pd.DataFrame
    results: pd.DataFrame
    indicators: pd.DataFrame
    ledger: Ledger
    auditor: str = ""  # the auditor's name given, else the workspace's setting
    workspace: Workspace | None = None  # where the batch stored its reports: the walker shows their source

    def summary(self) -> Html:
        r = self.reports
        ok = r[r["status"] == "ok"]
        bad = r[r["status"] != "ok"]
        failed = [(Path(str(f)).name, render.text(reason)) for f, reason in zip(bad["file"], bad["reason"], strict=True)]
        return render.batch_summary(str(self.outdir), len(r), len(ok), failed, int(ok["errors"].sum()),
                                    int(ok["warnings"].sum()))

    def memo_status(self) -> dict[str, tuple[str, str]]:
        """file → (memo file name, error) as ``write_memos`` recorded them in ``memos/memos.csv``."""
        path = self.outdir / "memos" / MEMO_STATUS
        if not path.exists():
            return {}
        t = pd.read_csv(path, dtype=str, keep_default_na=False)
        return {f: (m, err) for f, m, err in zip(t["file"], t["memo"], t["error"], strict=True)}

    def progress(self) -> dict[str, tuple[int, int]]:
        """file → (findings decided, failing findings) from the ledger; a decision made on values that
        changed since counts as not decided (it must be looked at again)."""
        if self.results.empty or self.ledger is None:
            return {}
        fails = self.results[self.results["status"] == Status.FAIL]
        if fails.empty:
            return {}
        a = self.ledger.annotate(fails.drop(columns=[c for c in _ANNOTATION if c in fails.columns]))
        done = a.assign(decided=a["decision"] != "").groupby("file")["decided"].agg(["sum", "size"])
        return {str(f): (int(d), int(n)) for f, d, n in zip(done.index, done["sum"], done["size"], strict=True)}

    def signing(self) -> dict[str, tuple[str, int, str]]:
        """file → (审核结论, with （暂定） while findings are open; confirmed problems; 复核 state), from the
        ledger's decisions and sign-offs on the findings every view shows."""
        from .conclusion import conclusion
        from .report_view import review_state

        out: dict[str, tuple[str, int, str]] = {}
        if self.workspace is None or self.results.empty:
            return out
        ids = dict(zip(self.reports["file"], self.reports.get("report_id", pd.Series(dtype=str)), strict=False))
        for file, part in self.results.groupby("file", sort=False):
            rid = ids.get(file)
            if not isinstance(rid, str) or not rid:
                continue
            a = self.ledger.annotate(part.drop(columns=[c for c in _ANNOTATION if c in part.columns]))
            state = self.workspace.signoffs.state(rid, list(part["fingerprint"]))
            c = conclusion(a, state)
            confirmed = int(((a["status"] == Status.FAIL) & (a["decision"] == "confirmed")).sum())
            out[str(file)] = (c.verdict.zh + ("（暂定）" if c.provisional else ""), confirmed, review_state(state))
        return out

    def problem_types(self) -> Html:
        """The problem types across the batch: for each check that failed somewhere, how many reports failed it
        and in how many a problem was confirmed (e.g. how many agencies failed T3-1, were late, copied last year)."""
        from ..checks.catalogue import title_of

        if self.results.empty:
            return render.table(["检查", "内容", "不通过的报告", "确认问题的报告"], [], "（没有不通过的检查）")
        fails = self.results[self.results["status"] == Status.FAIL]
        a = self.ledger.annotate(fails.drop(columns=[c for c in _ANNOTATION if c in fails.columns]))
        rows = []
        for cid, part in a.groupby("check_id", sort=True):
            rows.append([cid, title_of(str(cid)), part["file"].nunique(),
                         part.loc[part["decision"] == "confirmed", "file"].nunique()])
        total = int((self.reports["status"] == "ok").sum())
        return render.table(["检查", "内容", f"不通过的报告（共 {total} 份）", "确认问题的报告"], rows,
                            "（没有不通过的检查）", row_head=True)

    def memo_links(self) -> Html:
        """Every report of the batch with a link to its memo (``audit-kit batch --memos``), or why there is none:
        not readable, memo failed (with the reason), or no memo written; and its review progress from the
        ledger (findings decided of all failing findings). Where two reports would show the same agency and
        year, the link names the file too. The link works from where the notebook runs (:func:`memo_href`)."""
        memos = self.outdir / "memos"
        status = self.memo_status()
        progress = self.progress()
        signing = self.signing()
        rows = []
        ranked = self.ranked()
        unread = self.reports[self.reports["status"] != "ok"]
        labels = [f"{render.text(r.agency) or '（机关未识别）'} {_whole(r.report_year)}".strip() for r in ranked.itertuples()]
        for r, label in zip(ranked.itertuples(), labels, strict=True):
            name, error = status.get(r.file, (memo_name(r.file), ""))
            href, note = "", ""
            if error:
                state, text = "failed", f"审核意见书生成失败：{error}"
            elif (memos / name).exists():
                state, text = "ok", "审核意见书已生成"
                href, note = memo_href(memos / name)
            else:
                state, text = "none", "未生成审核意见书"
            decided, total = progress.get(r.file, (0, int(_number(r.errors) + _number(r.warnings) + _number(r.infos))))
            shown = render.text(r.agency) or "（机关未识别）"
            if labels.count(label) > 1:  # titles repeat: say which file the memo came from
                shown = f"{shown}（{Path(str(r.file)).name}）"
            verdict, confirmed, review = signing.get(r.file, ("", 0, ""))
            rows.append({"state": state, "href": href, "agency": shown, "year": _whole(r.report_year),
                         "verdict": verdict, "confirmed": confirmed if verdict else "", "review": review,
                         "errors": _whole(r.errors), "warnings": _whole(r.warnings),
                         "progress": f"已审 {decided} / 共 {total}" if total else "无不通过的发现",
                         "file": self.short_name(r.file), "status": f"{text}（{note}）" if note else text})
        for r in unread.itertuples():
            rows.append({"state": "unread", "href": "", "agency": "（未读取）", "year": "", "errors": "", "warnings": "",
                         "verdict": "", "confirmed": "", "review": "",
                         "progress": "", "file": self.short_name(r.file), "status": f"读取失败：{render.text(r.reason)}"})
        return render.memo_index(rows, memos.exists())

    def by_check(self) -> pd.DataFrame:
        """Pass / fail / not assessable counts per check."""
        t = pd.crosstab(self.results["check_id"], self.results["status"])
        return t.reindex(columns=list(Status.names()), fill_value=0).rename(columns=Status.names())

    def checks_table(self) -> Html:
        """Each check run in the batch: its id and title, and how many locations failed, could not be
        assessed and passed (the order of the 不通过 / 无法判断 / 通过 columns of :meth:`by_check`)."""
        from ..checks.catalogue import title_of

        t = self.by_check() if not self.results.empty else pd.DataFrame(columns=list(Status.names().values()))
        rows = [[cid, title_of(str(cid)), *(int(v) for v in t.loc[cid])] for cid in t.index]
        return render.table(["检查", "内容", *t.columns], rows, row_head=True)

    def ranking_table(self, limit: int = 20) -> Html:
        """The reports with the most error-level, then warning-level failures: years as integers, short file
        names, Chinese headers, no index column."""
        return _ranking_html(self.ranking().head(limit))

    def indicators_html(self) -> Html:
        """Each report's indicators (rows: agency and year) as the memo prints them: counts as integers,
        rates as percentages, （未读到）/（无法计算） — never NaN."""
        from ..checks.indicators import shown_indicator

        ind = self.indicators
        if ind.empty:
            return render.table(["机关", "年度"], [], "（没有指标）")
        codes = list(dict.fromkeys(ind["indicator"]))
        names = dict(zip(ind["indicator"], ind["name"], strict=True))
        rows = []
        for (_rid, file), part in ind.groupby(["report_id", "file"], sort=False):
            first = part.iloc[0]
            values = dict(zip(part["indicator"], part["value"], strict=True))
            rows.append([render.text(first["agency"]) or "（机关未识别）", _whole(first["report_year"]),
                         self.short_name(str(file)), *(shown_indicator(c, values.get(c, float("nan"))) for c in codes)])
        return render.table(["机关", "年度", "文件", *(names[c] for c in codes)], rows)

    def ranked(self) -> pd.DataFrame:
        """Reports ranked by error-level, then warning-level fails."""
        ok = self.reports[self.reports["status"] == "ok"]
        cols = ["file", "agency", "report_year", "template", "errors", "warnings", "infos", "pairing"]
        return ok.sort_values(["errors", "warnings"], ascending=False)[cols].reset_index(drop=True)

    def short_name(self, file: str) -> str:
        """A report's path relative to the folder all the batch's files share (full paths get cut in tables)."""
        files = [str(f) for f in self.reports["file"]]
        try:
            root = Path(os.path.commonpath(files))
        except ValueError:
            return file
        if len(files) == 1:
            root = root.parent
        return str(Path(file).relative_to(root)) if Path(file).is_relative_to(root) else file

    def ranking(self) -> pd.DataFrame:
        """The ranked reports as shown to the auditor: short file names and Chinese column names."""
        t = self.ranked()
        t["file"] = t["file"].map(self.short_name)
        return t.rename(columns=RANKING_COLUMNS)

    def indicator_means(self) -> pd.DataFrame:
        """Mean of each indicator over the batch, and of the paired prior years' values."""
        g = self.indicators.groupby(["indicator", "name"], sort=False)[["value", "prior_value"]].mean()
        return g.reset_index()

    def filter_widget(self) -> w.Widget:
        """The ranked reports, filtered by year and by "has errors" (no Output widget: nothing is captured)."""
        import ipywidgets as w
        years = sorted(self.reports["report_year"].dropna().astype(int).unique())
        year = w.Dropdown(options=["全部", *years], description="年度")
        only = w.Checkbox(description="只看有错误的报告")
        table = w.HTML()

        def show(_change: object = None) -> None:
            t = self.ranking()
            if year.value != "全部":
                t = t[t["年度"] == year.value]
            if only.value:
                t = t[t[Severity.ERROR.zh] > 0]
            table.value = str(_ranking_html(t))

        year.observe(show, names="value")
        only.observe(show, names="value")
        show()
        return w.VBox([w.HBox([year, only]), table])

    def results_of(self, file: str) -> pd.DataFrame:
        r = self.results[self.results["file"] == file].copy()
        r["evidence"] = r["evidence"].map(lambda e: json.loads(e) if isinstance(e, str) else e)
        return r.drop(columns=[c for c in _ANNOTATION if c in r.columns])

    def stored_report(self, file: str) -> Report | None:
        """The report of ``file`` as the workspace stored it (for the walker's source view); None when this
        batch stored it elsewhere."""
        from ..errors import AuditKitError

        ids = self.reports.loc[self.reports["file"] == file, "report_id"]
        if self.workspace is None or ids.empty or not isinstance(ids.iloc[0], str) or not ids.iloc[0]:
            return None
        try:
            return self.workspace.report(ids.iloc[0])
        except (AuditKitError, OSError):
            return None

    def picker(self, auditor: str = "") -> w.Widget:
        """Choose a report; its findings open in the finding walker (decisions go to the ledger)."""
        import ipywidgets as w

        from .walker import FindingWalker

        auditor = auditor or self.auditor
        files = [(self.short_name(f), f) for f in self.ranked()["file"]]
        choose = w.Dropdown(options=files, description="报告", layout=w.Layout(width="80%"))
        box = w.VBox([choose])
        self.walker: FindingWalker | None = None

        def open_(_change: object = None) -> None:
            if not choose.value:
                return
            self.walker = FindingWalker(self.results_of(choose.value), self.ledger, self.stored_report(choose.value),
                                        auditor, self.workspace)
            box.children = [choose, self.walker.widget]

        choose.observe(open_, names="value")
        open_()
        return box


def _ranking_html(t: pd.DataFrame) -> Html:
    """Rows of :meth:`BatchView.ranking` as a table: whole numbers without ".0", nothing shown as NaN."""
    whole = ("年度", Severity.ERROR.zh, Severity.WARNING.zh, Severity.INFO.zh)
    unknown = {"机关": "（机关未识别）", "格式": "未识别"}
    rows = [[_whole(v) if k in whole else render.text(v) or unknown.get(k, "") for k, v in r.items()]
            for _i, r in t.iterrows()]
    return render.table(list(t.columns), rows, "（没有符合条件的报告）")


def open_batch(outdir: str = "", ledger: str = "", store: str = "", auditor: str = "") -> BatchView:
    """Read a batch output folder; with no folder, batch the bundled seed report first, as an example, in a
    temporary workspace of its own (never the auditor's). The ledger is the workspace's (``store``, else
    :func:`audit_kit.workspace.locate`) unless ``ledger`` names another; the auditor defaults to the
    workspace's setting."""
    import shutil

    from .. import bundled
    from ..batch import outputs
    from ..workspace.access import Workspace

    if not outdir:
        from ..batch.client import run_batch

        tmp = Path(tempfile.mkdtemp(prefix="audit-kit-batch-"))
        (tmp / "in").mkdir()
        shutil.copyfile(bundled.seed(), tmp / "in" / bundled.seed().name)
        run_batch(tmp / "in", tmp / "out", store=tmp / "store", progress=False)
        outdir, store, ledger = str(tmp / "out"), str(tmp / "store"), ""
    out = Path(outdir)
    ws = Workspace.find(store or None, ledger=ledger or None)
    t = outputs.read_set(out, ["reports", "results", "indicators"])  # Parquet: the CSVs are for spreadsheets
    return BatchView(out, t["reports"], stored_results(ws, t["reports"], t["results"]), t["indicators"], ws.ledger,
                     auditor or ws.settings.auditor, ws)


def stored_results(ws: Workspace, reports: pd.DataFrame, written: pd.DataFrame) -> pd.DataFrame:
    """The findings of the batch's reports as the workspace holds them — what the memo, the report notebook,
    the Excel export and the index show (one source of truth; :meth:`Workspace.findings`) — with each row's
    file; a report the workspace does not hold keeps the rows the batch wrote."""
    from ..errors import AuditKitError

    frames = []
    for r in reports[reports["status"] == "ok"].itertuples():
        rid = getattr(r, "report_id", None)
        try:
            found = ws.findings(str(rid)) if isinstance(rid, str) and rid else None
        except (AuditKitError, OSError):
            found = None
        if found is None:
            frames.append(written[written["file"] == r.file])
            continue
        frames.append(found.assign(file=r.file))
    if not frames:
        return written.iloc[:0]
    return pd.concat(frames, ignore_index=True)
