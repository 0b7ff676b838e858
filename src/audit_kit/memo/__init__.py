"""The HTML audit memo: audit_report.ipynb run with the parameters papermill injects (on a kernel kept up
across memos, see :mod:`.runner`), exported through the project's own nbconvert template — no code, no
prompts, no widget frames, CSS inline, images embedded, a print stylesheet."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..errors import MemoError
from .runner import Job, Outcome, run_notebooks

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
NOTEBOOK = NOTEBOOKS / "audit_report.ipynb"
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


def _params(report: str, prior: str = "", store: str = "", ledger: str = "", auditor: str = "") -> dict[str, str]:
    def absolute(p: str) -> str:  # links kept: an error names the path the user gave, not a link's target
        return os.path.abspath(p) if p else ""

    return {"report": absolute(report), "prior": absolute(prior), "store": absolute(store),
            "ledger": absolute(ledger or "audit.ledger.sqlite"), "auditor": auditor}


def write_memo(report: str, out: str | Path, prior: str = "", store: str = "", ledger: str = "", auditor: str = "",
               kernel: str = "python3", force_prior: bool = False) -> Path:
    """Run audit_report.ipynb on ``report`` (parameters injected by papermill) and write the memo to ``out``."""
    if not NOTEBOOK.exists():
        raise FileNotFoundError(f"找不到审核笔记本 {NOTEBOOK}")
    params: dict = _params(report, prior, store, ledger, auditor)
    if force_prior:
        params["force_prior"] = True
    job = Job(params, Path(out))
    outcome = run_notebooks(NOTEBOOK, [job], kernel=kernel, cwd=str(Path.cwd()))[0]
    if outcome.error:
        raise MemoError(report, outcome.error)
    return job.out


def write_index(outdir: str | Path, ledger: str = "", kernel: str = "python3") -> Path:
    """Run audit_batch.ipynb on a batch output folder and write ``OUTDIR/index.html`` linking the memos."""
    outdir = Path(outdir).resolve()
    job = Job({"outdir": str(outdir), "ledger": str(Path(ledger or "audit.ledger.sqlite").resolve())},
              outdir / "index.html", title="批量审核结果")
    outcome = run_notebooks(NOTEBOOKS / "audit_batch.ipynb", [job], kernel=kernel, cwd=str(outdir))[0]
    if outcome.error:
        raise MemoError(str(outdir), outcome.error)
    return job.out


def write_memos(outdir: str | Path, store: str, ledger: str = "", auditor: str = "", jobs: int = 1) -> list[Outcome]:
    """One memo per report read fine in a batch output folder (``OUTDIR/memos/``), on ``jobs`` kernels kept
    up, how each went in ``memos/memos.csv``, then ``index.html`` listing every report of the batch.
    Returns how each memo went; one failing memo never stops the others."""
    import pandas as pd

    from .. import outputs
    from ..batch_view import MEMO_STATUS, memo_name

    outdir = Path(outdir)
    reports = outputs.read(outdir, "reports")  # the Parquet copy: the CSV is neutralised for spreadsheets
    files = list(reports.loc[reports["status"] == "ok", "file"])
    batch = [Job(_params(f, store=store, ledger=ledger, auditor=auditor), outdir / "memos" / memo_name(f)) for f in files]
    outcomes = run_notebooks(NOTEBOOK, batch, lanes=jobs, cwd=str(outdir))
    (outdir / "memos").mkdir(parents=True, exist_ok=True)
    status = pd.DataFrame({"file": files, "memo": [j.out.name for j in batch], "error": [o.error for o in outcomes]})
    status.to_csv(outdir / "memos" / MEMO_STATUS, index=False)  # the index says how each memo went
    write_index(outdir, ledger)
    return outcomes
