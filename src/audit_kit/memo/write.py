"""Writing memos: one report's, a batch's (one per report, on kernels kept up) and the batch's index."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .. import bundled
from ..errors import MemoError
from ..workspace.access import Workspace
from .exporter import prepare
from .kernels import Job, Lanes, Outcome

if TYPE_CHECKING:
    from ..workspace.access import Audit

NOTEBOOK = bundled.notebook("audit_report.ipynb")
BATCH_NOTEBOOK = bundled.notebook("audit_batch.ipynb")


def _params(report_id: str, workspace: Workspace, auditor: str = "", prior: str = "",
            reviewer: str = "") -> dict[str, object]:
    """The notebook's parameters: a stored report's id, the workspace and its ledger, the auditor and the
    reviewer (the workspace's settings unless given), and ``memo``: the notebook shows the static memo."""
    return {"report": report_id, "prior": prior, "store": str(workspace.root), "ledger": str(workspace.ledger_path),
            "auditor": auditor or workspace.settings.auditor, "reviewer": reviewer or workspace.settings.reviewer,
            "memo": True}


def write_memo(report: str, out: str | Path, prior: str = "", store: str = "", ledger: str = "", auditor: str = "",
               kernel: str = "python3", force_prior: bool = False, opened: Audit | None = None,
               lanes: Lanes | None = None, reviewer: str = "") -> Path:
    """Write the memo of ``report`` — a file or a stored report's id (or unique prefix) — to ``out``, in the
    workspace ``store`` (empty: found by :func:`audit_kit.workspace.locate`) with its ledger (or ``ledger``).

    The report is opened here (``Workspace.open``, or ``opened`` when the caller did); the notebook then
    runs on the report's id and reads the report and its results from the workspace. ``lanes``: a kernel
    the caller started before opening the report (so both happen at once); else one is started here."""
    if lanes is None:
        with Lanes(1, kernel, str(Path.cwd()), prepare=prepare) as started:
            return write_memo(report, out, prior, store, ledger, auditor, kernel, force_prior, opened, started, reviewer)
    if opened is None:
        with Workspace.find(store or None, ledger=ledger or None) as ws:
            opened = ws.open(report, prior, force_prior)
    # a prior file is named as the user gave it (the pairing line cites it); the kernel finds it stored
    params: dict = _params(opened.report.report_id, opened.workspace, auditor,
                           os.path.abspath(prior) if prior and Path(prior).is_file() else prior, reviewer)
    if force_prior:
        params["force_prior"] = True
    job = Job(params, Path(out))
    outcome = lanes.run(NOTEBOOK, [job])[0]
    if outcome.error:
        raise MemoError(report, outcome.error)
    return job.out


def write_index(outdir: str | Path, ledger: str = "", kernel: str = "python3", store: str = "",
                lanes: Lanes | None = None, reviewer: str = "") -> Path:
    """Run audit_batch.ipynb on a batch output folder and write ``OUTDIR/index.html`` linking the memos
    (on ``lanes`` when given: the batch's memo kernels)."""
    outdir = Path(outdir).resolve()
    workspace = Workspace.find(store or None, ledger=ledger or None)
    job = Job({"outdir": str(outdir), "store": str(workspace.root), "ledger": str(workspace.ledger_path)},
              outdir / "index.html", title="批量审核汇总")
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

    from ..batch import outputs
    from ..batch.outputs import MEMO_STATUS, memo_name

    outdir = Path(outdir)
    workspace = Workspace.find(store or None, ledger=ledger or None)
    reports = outputs.read(outdir, "reports")  # the Parquet copy: the CSV is neutralised for spreadsheets
    ok = reports[reports["status"] == "ok"]
    files = list(ok["file"])
    batch = [Job(_params(rid, workspace, auditor), outdir / "memos" / memo_name(f))
             for f, rid in zip(files, ok["report_id"], strict=True)]
    with Lanes(max(1, min(jobs, len(batch))), cwd=str(outdir), prepare=prepare) as lanes:
        outcomes = lanes.run(NOTEBOOK, batch)
        (outdir / "memos").mkdir(parents=True, exist_ok=True)
        status = pd.DataFrame({"file": files, "memo": [j.out.name for j in batch], "error": [o.error for o in outcomes]})
        status.to_csv(outdir / "memos" / MEMO_STATUS, index=False)  # the index says how each memo went
        write_index(outdir, str(workspace.ledger_path), store=str(workspace.root), lanes=lanes)  # on a kernel already up
    return outcomes
