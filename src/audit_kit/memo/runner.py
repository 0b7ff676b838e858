"""Run audit_report.ipynb for many reports on kernels that stay up.

Starting a Python kernel and importing pandas, matplotlib and audit_kit in it cost about 3 s of CPU per
memo — more than the audit itself. Here each lane keeps one kernel: papermill injects the parameters
into a copy of the notebook, nbclient executes it on the lane's kernel after a ``%reset -f`` (so no
variable of the previous report survives), and the executed notebook is exported. A memo whose notebook
fails is reported with its reason, the lane's kernel is restarted, and the other memos go on.
"""

from __future__ import annotations

import asyncio
import copy
import shutil
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

CELL_TIMEOUT_S = 300  # a cell that runs longer is an error, never a hang
_RESET = "%reset -f"
HIDDEN = "memo-hide"  # cells the memo leaves out


@dataclass
class Job:
    """One notebook to run: its parameters, where the memo goes, and the title when none is found."""

    parameters: dict[str, str]
    out: Path
    title: str = "审计备忘录"


@dataclass
class Outcome:
    job: Job
    error: str = ""  # empty when the memo was written
    detail: str = ""  # the traceback of the failure (for batch.log)


def _prepared(notebook: nbformat.NotebookNode, parameters: dict[str, str], kernel: str) -> nbformat.NotebookNode:
    """A copy of the notebook with the parameters injected (papermill) and a reset cell in front. Cells
    tagged ``memo-hide`` (the finding walker's widgets, working notes) are left out: the memo shows none
    of them, so they are not run either."""
    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(notebook)
    nb.cells = [c for c in nb.cells if HIDDEN not in c.get("metadata", {}).get("tags", [])]
    nb = parameterize_notebook(nb, parameters, kernel_name=kernel)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_RESET, metadata={"tags": ["memo-hide", "audit-kit-reset"]}))
    return nb


def _finished(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.cells = [c for c in nb.cells if "audit-kit-reset" not in c.get("metadata", {}).get("tags", [])]
    return nb


def title_of(nb: nbformat.NotebookNode, default: str) -> str:
    """The memo's title: the one the memo header gave in its output's metadata (``render.TITLE_KEY``), else
    ``default``. Never read from the HTML, so no <h1> a report carries can set it."""
    from ..render import TITLE_KEY

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            title = out.get("metadata", {}).get("text/html", {}).get(TITLE_KEY)
            if isinstance(title, str) and title:
                return title
    return default


def _reason(exc: BaseException) -> str:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    if isinstance(exc, CellTimeoutError):
        return f"笔记本单元格运行超过 {CELL_TIMEOUT_S} 秒，已中止"
    if isinstance(exc, CellExecutionError):
        return f"笔记本运行出错：{exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


async def _lane(queue: asyncio.Queue, notebook: nbformat.NotebookNode, kernel: str, cwd: str,
                export: Callable[[nbformat.NotebookNode, str], str], outcomes: list[Outcome]) -> None:
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    sockets = tempfile.mkdtemp(prefix="audit-kit-kernel-")  # IPC sockets: nothing listens on the network
    km = AsyncKernelManager(kernel_name=kernel, transport="ipc", ip=str(Path(sockets) / "kernel"))
    await km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        while not queue.empty():
            job: Job = queue.get_nowait()
            try:
                nb = _prepared(notebook, job.parameters, kernel)
                client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT_S, kernel_name=kernel)
                client.kc = kc
                await client.async_execute()
                nb = _finished(nb)
                page = await asyncio.to_thread(export, nb, title_of(nb, job.title))
                job.out.parent.mkdir(parents=True, exist_ok=True)
                job.out.write_text(page, encoding="utf-8")
                outcomes.append(Outcome(job))
            except Exception as exc:  # one memo's failure never stops the others
                outcomes.append(Outcome(job, _reason(exc), traceback.format_exc()))
                await km.restart_kernel(now=True)
                await kc.wait_for_ready(timeout=120)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def run_notebooks(notebook: Path, jobs: list[Job], lanes: int = 1, kernel: str = "python3", cwd: str = ".",
                  export: Callable[[nbformat.NotebookNode, str], str] | None = None) -> list[Outcome]:
    """Run ``notebook`` once per job on ``lanes`` kernels kept up, export each run, and say how each went."""
    from papermill.iorw import load_notebook_node

    from . import export as export_memo

    nb = load_notebook_node(str(notebook))
    outcomes: list[Outcome] = []

    async def main() -> None:
        queue: asyncio.Queue = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        n = max(1, min(lanes, len(jobs)))
        await asyncio.gather(*(_lane(queue, nb, kernel, cwd, export or export_memo, outcomes) for _ in range(n)))

    if jobs:
        asyncio.run(main())
    order = {id(job): i for i, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[id(o.job)])
