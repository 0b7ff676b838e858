"""The HTML audit memo: audit_report.ipynb run with papermill, exported through the project's own nbconvert
template — no code, no prompts, no widget frames, CSS inline, images embedded, a print stylesheet."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
NOTEBOOK = NOTEBOOKS / "audit_report.ipynb"
CELL_TIMEOUT_S = 300  # a cell that runs longer is an error, never a hang
TEMPLATES = Path(str(resources.files("audit_kit.memo").joinpath("templates")))


def export(notebook: dict | str | Path, title: str = "审计备忘录") -> str:
    """An executed notebook (object or path) as the memo's HTML."""
    import nbformat
    from nbconvert import HTMLExporter

    from .. import __version__

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="memo")
    css = resources.files("audit_kit.memo").joinpath("memo.css").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(nb, resources={
        "memo_title": title, "memo_css": css, "memo_footer": f"由 audit-kit {__version__} 生成。"})
    return body


def write_memo(report: str, out: str | Path, prior: str = "", store: str = "", ledger: str = "", auditor: str = "",
               kernel: str = "python3") -> Path:
    """Run audit_report.ipynb on ``report`` (papermill) and write the memo to ``out``."""
    import html
    import re

    import papermill as pm

    if not NOTEBOOK.exists():
        raise FileNotFoundError(f"找不到审核笔记本 {NOTEBOOK}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    params = {"report": str(Path(report).resolve()), "prior": str(Path(prior).resolve()) if prior else "",
              "store": str(Path(store).resolve()) if store else "", "ledger": str(Path(ledger or "audit.ledger.sqlite").resolve()),
              "auditor": auditor}
    with tempfile.TemporaryDirectory(prefix="audit-kit-memo-") as tmp:
        executed = Path(tmp) / "memo.ipynb"
        pm.execute_notebook(str(NOTEBOOK), str(executed), parameters=params, progress_bar=False,
                            kernel_name=kernel, log_output=False, execution_timeout=CELL_TIMEOUT_S)  # no cwd: papermill chdirs
        found = re.search(r"<h1>(.*?)</h1>", executed.read_text(encoding="utf-8"))
        title = html.unescape(found.group(1)) if found else "审计备忘录"
        page = export(executed, title=title)
    out.write_text(page, encoding="utf-8")
    return out


def write_index(outdir: str | Path, ledger: str = "", kernel: str = "python3") -> Path:
    """Run audit_batch.ipynb on a batch output folder and write ``OUTDIR/index.html`` linking the memos."""
    import papermill as pm

    outdir = Path(outdir).resolve()
    with tempfile.TemporaryDirectory(prefix="audit-kit-index-") as tmp:
        executed = Path(tmp) / "index.ipynb"
        pm.execute_notebook(str(NOTEBOOKS / "audit_batch.ipynb"), str(executed), progress_bar=False,
                            kernel_name=kernel, log_output=False, execution_timeout=CELL_TIMEOUT_S,
                            parameters={"outdir": str(outdir), "ledger": str(Path(ledger or "audit.ledger.sqlite").resolve())})
        page = export(executed, title="批量审核结果")
    target = outdir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def write_memos(outdir: str | Path, store: str, ledger: str = "", auditor: str = "", jobs: int = 1) -> list[Path]:
    """One memo per report read fine in a batch output folder (``OUTDIR/memos/``), then ``index.html``."""
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    from ..batch_view import memo_name

    outdir = Path(outdir)
    reports = pd.read_csv(outdir / "reports.csv")
    files = list(reports.loc[reports["status"] == "ok", "file"])
    store, ledger = str(Path(store).resolve()), str(Path(ledger or "audit.ledger.sqlite").resolve())
    (outdir / "memos").mkdir(exist_ok=True)

    def one(file: str) -> Path:
        return write_memo(str(Path(file).resolve()), outdir / "memos" / memo_name(file), store=store, ledger=ledger,
                          auditor=auditor)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        written = list(pool.map(one, files))
    write_index(outdir, ledger)
    return written
