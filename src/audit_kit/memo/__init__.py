"""The HTML audit memo: audit_report.ipynb (the package's copy) run with the parameters papermill injects
(on a kernel kept up across memos, see :mod:`.runner`), exported through the project's own nbconvert
template — no code, no prompts, no widget frames, CSS inline, images embedded, a print stylesheet.

The notebook is handed a report of the workspace by its id, never a file: the report is read (and its
results computed) once, in the process that asks for the memo or in the batch, and the kernel takes
both from the workspace."""

from __future__ import annotations

import os
import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .. import bundled
from ..errors import MemoError
from ..workspace import Workspace
from . import fastimport  # noqa: F401  (first: nbformat's import stays fast, see there)
from .runner import Job, Lanes, Outcome

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

    from ..stored import Stored

NOTEBOOK = bundled.notebook("audit_report.ipynb")
BATCH_NOTEBOOK = bundled.notebook("audit_batch.ipynb")
TEMPLATES = Path(str(resources.files("audit_kit.memo").joinpath("templates")))
_idle: queue.SimpleQueue[HTMLExporter] = queue.SimpleQueue()  # exporters built and free: one per thread at a time


@contextmanager
def _exporter() -> Iterator[HTMLExporter]:
    """An exporter no other thread is using — built once and reused (building one costs ~0.3 s)."""
    try:
        exporter = _idle.get_nowait()
    except queue.Empty:
        exporter = _memo_exporter()(extra_template_basedirs=[str(TEMPLATES)], template_name="memo")
    try:
        yield exporter
    finally:
        _idle.put(exporter)


_REFERENCE = re.compile(r"&#(\d{3,7});")


def characters(html: str) -> str:
    """Numeric character references of letters written as the letters (nbconvert's markdown headings come out
    as ``&#32467;&#35770;``). Only code points past Latin-1's controls: none of them means anything to HTML."""
    def letter(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return chr(n) if 0xA0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else m.group(0)

    return _REFERENCE.sub(letter, html)


@cache
def _memo_exporter() -> type[HTMLExporter]:
    """nbconvert's HTML exporter without its last pass, which parses the whole page again with BeautifulSoup
    only to give JupyterLab's markup tab stops and images an English alt text: the memo template has none of
    that markup and its own Chinese alt texts, and the pass took half of each memo's export."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class MemoExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("characters", characters)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return MemoExporter


@cache
def _css() -> str:
    return resources.files("audit_kit.memo").joinpath("memo.css").read_text(encoding="utf-8")


def prepare() -> None:
    """What every memo needs in this process, made once while the kernel starts: papermill and an exporter
    whose templates are compiled (an empty notebook exported) — about 1.5 s of imports and compiling."""
    import nbformat
    import papermill.parameterize  # noqa: F401

    export(nbformat.v4.new_notebook())


def export(notebook: dict | str | Path, title: str = "审计备忘录") -> str:
    """An executed notebook (object or path) as the memo's HTML."""
    import nbformat

    from .. import __version__

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(str(notebook), as_version=4)
    with _exporter() as exporter:
        body, _ = exporter.from_notebook_node(nb, resources={
            "memo_title": title, "memo_css": _css(), "memo_footer": f"由 audit-kit {__version__} 生成。"})
    return body


def _params(report_id: str, workspace: Workspace, ledger: str = "", auditor: str = "", prior: str = "") -> dict[str, str]:
    """The notebook's parameters: a stored report's id, the workspace, the ledger (the workspace's unless
    given) and the auditor (the workspace's setting unless given)."""
    return {"report": report_id, "prior": prior, "store": str(workspace.root),
            "ledger": os.path.abspath(ledger) if ledger else str(workspace.ledger_path),
            "auditor": auditor or workspace.settings.auditor}


def open_report(report: str, prior: str = "", store: str = "", force_prior: bool = False) -> tuple[Workspace, Stored]:
    """The workspace ``store`` (empty: :func:`audit_kit.workspace.locate`) and ``report`` opened in it — a
    new file read, stored and checked once; a stored one taken with its stored results."""
    from ..stored import open_stored

    workspace = Workspace.open(store or None)
    return workspace, open_stored(workspace.root, report, prior, force_prior)


def write_memo(report: str, out: str | Path, prior: str = "", store: str = "", ledger: str = "", auditor: str = "",
               kernel: str = "python3", force_prior: bool = False, opened: tuple[Workspace, Stored] | None = None,
               lanes: Lanes | None = None) -> Path:
    """Write the memo of ``report`` — a file or a stored report's id (or unique prefix) — to ``out``.

    The report is opened here (:func:`open_report`, or ``opened`` when the caller did); the notebook then
    runs on the report's id and reads the report and its results from the workspace. ``lanes``: a kernel
    the caller started before opening the report (so both happen at once); else one is started here."""
    if lanes is None:
        with Lanes(1, kernel, str(Path.cwd()), prepare=prepare) as started:
            return write_memo(report, out, prior, store, ledger, auditor, kernel, force_prior, opened, started)
    workspace, found = opened or open_report(report, prior, store, force_prior)
    # a prior file is named as the user gave it (the pairing line cites it); the kernel finds it stored
    params: dict = _params(found.report.report_id, workspace, ledger, auditor,
                           os.path.abspath(prior) if prior and Path(prior).is_file() else prior)
    if force_prior:
        params["force_prior"] = True
    job = Job(params, Path(out))
    outcome = lanes.run(NOTEBOOK, [job])[0]
    if outcome.error:
        raise MemoError(report, outcome.error)
    return job.out


def write_index(outdir: str | Path, ledger: str = "", kernel: str = "python3", store: str = "",
                lanes: Lanes | None = None) -> Path:
    """Run audit_batch.ipynb on a batch output folder and write ``OUTDIR/index.html`` linking the memos
    (on ``lanes`` when given: the batch's memo kernels)."""
    outdir = Path(outdir).resolve()
    workspace = Workspace.open(store or None)
    job = Job({"outdir": str(outdir), "store": str(workspace.root),
               "ledger": os.path.abspath(ledger) if ledger else str(workspace.ledger_path)},
              outdir / "index.html", title="批量审核结果")
    if lanes is None:
        with Lanes(1, kernel, str(outdir), warm="") as started:
            outcome = started.run(BATCH_NOTEBOOK, [job])[0]
    else:
        outcome = lanes.run(BATCH_NOTEBOOK, [job])[0]
    if outcome.error:
        raise MemoError(str(outdir), outcome.error)
    return job.out


def write_memos(outdir: str | Path, store: str, ledger: str = "", auditor: str = "", jobs: int = 1) -> list[Outcome]:
    """One memo per report read fine in a batch output folder (``OUTDIR/memos/``), on ``jobs`` kernels kept
    up, how each went in ``memos/memos.csv``, then ``index.html`` listing every report of the batch.
    Each notebook gets the report's id and the workspace the batch stored it in (with its results), never
    the file: no report is read or checked again. Returns how each memo went; one failing memo never
    stops the others."""
    import pandas as pd

    from .. import outputs
    from ..outputs import MEMO_STATUS, memo_name

    outdir = Path(outdir)
    workspace = Workspace.open(store or None)
    reports = outputs.read(outdir, "reports")  # the Parquet copy: the CSV is neutralised for spreadsheets
    ok = reports[reports["status"] == "ok"]
    files = list(ok["file"])
    batch = [Job(_params(rid, workspace, ledger, auditor), outdir / "memos" / memo_name(f))
             for f, rid in zip(files, ok["report_id"], strict=True)]
    with Lanes(max(1, min(jobs, len(batch))), cwd=str(outdir), prepare=prepare) as lanes:
        outcomes = lanes.run(NOTEBOOK, batch)
        (outdir / "memos").mkdir(parents=True, exist_ok=True)
        status = pd.DataFrame({"file": files, "memo": [j.out.name for j in batch], "error": [o.error for o in outcomes]})
        status.to_csv(outdir / "memos" / MEMO_STATUS, index=False)  # the index says how each memo went
        write_index(outdir, ledger, store=str(workspace.root), lanes=lanes)  # on a kernel already up
    return outcomes
