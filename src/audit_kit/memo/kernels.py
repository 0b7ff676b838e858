"""Run audit_report.ipynb for many reports on kernels that stay up.

Starting a Python kernel and importing pandas, matplotlib and audit_kit in it cost about 3 s of CPU per
memo — more than the audit itself. Here each lane keeps one kernel: papermill injects the parameters
into a copy of the notebook, nbclient executes it on the lane's kernel after deleting every name the
previous report's run left (so no variable of it survives), and the executed notebook is exported.
A memo whose notebook fails is reported with its reason, the lane's kernel is restarted, and the
other memos go on. The kernels start while the caller still reads the report (:class:`Lanes`).
"""

from __future__ import annotations

import asyncio
import copy
import queue
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat is imported where used: the kernel starts while it is imported (see Lanes)
    import nbformat


CELL_TIMEOUT_S = 300  # a cell that runs longer is an error, never a hang
# Every name the previous report's run left is deleted (what IPython itself put there stays). Not %reset -f:
# that also runs a full garbage collection, 0.14 s a memo — a third of the memo's own work.
_RESET = ("_ip = get_ipython()\n"
          "for _name in [n for n in _ip.user_ns if n not in _ip.user_ns_hidden]:\n"
          "    del _ip.user_ns[_name]")
# what every memo imports, imported once per kernel while the caller still reads the report
WARM = "import audit_kit.review.report_view, audit_kit.review.tables, audit_kit.review.charts, audit_kit.render.html"
HIDDEN = "memo-hide"  # cells the memo leaves out


@dataclass
class Job:
    """One notebook to run: its parameters, where the memo goes, and the title when none is found."""

    parameters: dict[str, object]
    out: Path
    title: str = "审核意见书"


@dataclass
class Outcome:
    job: Job
    error: str = ""  # empty when the memo was written
    detail: str = ""  # the traceback of the failure (for batch.log)


def _prepared(notebook: nbformat.NotebookNode, parameters: dict[str, object], kernel: str) -> nbformat.NotebookNode:
    """A copy of the notebook with the parameters injected (papermill) and a reset cell in front. Cells
    tagged ``memo-hide`` (the finding walker's widgets, working notes) are left out: the memo shows none
    of them, so they are not run either."""
    import nbformat
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
    from ..render.html import TITLE_KEY

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


class Lanes:
    """Kernels started now, in a thread of their own, that run the jobs handed to them later.

    Starting a kernel and importing the package in it (``warm``) takes longer than the rest of a memo, so it
    happens while the caller reads and stores the report; the same kernels then run every notebook of a
    batch, its index too. Use as a context manager: leaving it shuts the kernels down."""

    def __init__(self, lanes: int = 1, kernel: str = "python3", cwd: str = ".",
                 export: Callable[[nbformat.NotebookNode, str], str] | None = None, warm: str = WARM,
                 prepare: Callable[[], object] | None = None) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._n = max(1, lanes)
        self._kernel, self._cwd, self._warm = kernel, cwd, warm
        self._export, self._prepare = export, prepare
        self._prepared = threading.Event()  # set once the preparation ran: run() imports nothing before
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="audit-kit-kernels", daemon=True)
        self._thread.start()

    def __enter__(self) -> Lanes:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def run(self, notebook: Path | nbformat.NotebookNode, jobs: list[Job]) -> list[Outcome]:
        """Run ``notebook`` once per job on the kernels; returns how each went, in the order of ``jobs``."""
        if not jobs:
            return []
        while not self._prepared.wait(1) and self._thread.is_alive():
            pass
        import nbformat

        nb = notebook if isinstance(notebook, nbformat.NotebookNode) else _load(notebook)
        pending: list[tuple[Job, nbformat.NotebookNode, Future[Outcome]]] = [(job, nb, Future()) for job in jobs]
        for item in pending:
            self._queue.put(item)
        return [self._outcome(job, future) for job, _, future in pending]

    def _outcome(self, job: Job, future: Future[Outcome]) -> Outcome:
        """The job's outcome; should the kernels' thread have died, the job says so instead of waiting."""
        while True:
            try:
                return future.result(timeout=1)
            except TimeoutError:
                if not self._thread.is_alive():
                    return Outcome(job, "运行笔记本的线程意外退出", "")

    def close(self) -> None:
        if self._thread.is_alive():
            for _ in range(self._n):
                self._queue.put(None)
            self._thread.join()

    async def _main(self) -> None:
        if self._export is None:
            from .exporter import export

            self._export = export
        # Imported here, before the caller's preparation starts in another thread: two threads importing
        # jupyter_client at once can meet its modules half initialised.
        import jupyter_client.manager  # noqa: F401
        import nbclient  # noqa: F401

        # the caller's own preparation (e.g. the exporter) runs while the kernels start
        await asyncio.gather(asyncio.to_thread(self._prepare_once), *(self._lane() for _ in range(self._n)))

    def _prepare_once(self) -> None:
        try:
            if self._prepare is not None:
                self._prepare()
        except Exception:  # only a head start: what failed here fails again, with its reason, in the memo
            pass
        finally:
            self._prepared.set()

    async def _lane(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient

        sockets = tempfile.mkdtemp(prefix="audit-kit-kernel-")  # IPC sockets: nothing listens on the network
        km = AsyncKernelManager(kernel_name=self._kernel, transport="ipc", ip=str(Path(sockets) / "kernel"))
        kc = None
        try:
            await km.start_kernel(cwd=self._cwd)
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=120)
            if self._warm:
                await kc.execute_interactive(self._warm, store_history=False, timeout=120)
            while (item := await asyncio.to_thread(self._queue.get)) is not None:
                job, notebook, future = item
                try:
                    nb = _prepared(notebook, job.parameters, self._kernel)
                    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT_S, kernel_name=self._kernel)
                    client.kc = kc
                    await client.async_execute()
                    nb = _finished(nb)
                    assert self._export is not None
                    page = await asyncio.to_thread(self._export, nb, title_of(nb, job.title))
                    job.out.parent.mkdir(parents=True, exist_ok=True)
                    job.out.write_text(page, encoding="utf-8")
                    future.set_result(Outcome(job))
                except Exception as exc:  # one memo's failure never stops the others
                    future.set_result(Outcome(job, _reason(exc), traceback.format_exc()))
                    await km.restart_kernel(now=True)
                    await kc.wait_for_ready(timeout=120)
        except Exception as exc:  # the kernel itself would not start: every job handed here says why
            while (item := await asyncio.to_thread(self._queue.get)) is not None:
                item[2].set_result(Outcome(item[0], f"内核无法启动：{_reason(exc)}", traceback.format_exc()))
        finally:
            if kc is not None:
                kc.stop_channels()
            await km.shutdown_kernel(now=True)
            shutil.rmtree(sockets, ignore_errors=True)


def _load(notebook: Path) -> nbformat.NotebookNode:
    from papermill.iorw import load_notebook_node

    return load_notebook_node(str(notebook))


def run_notebooks(notebook: Path, jobs: list[Job], lanes: int = 1, kernel: str = "python3", cwd: str = ".",
                  export: Callable[[nbformat.NotebookNode, str], str] | None = None) -> list[Outcome]:
    """Run ``notebook`` once per job on ``lanes`` kernels kept up, export each run, and say how each went."""
    if not jobs:
        return []
    with Lanes(min(lanes, len(jobs)), kernel, cwd, export, warm="") as running:
        return running.run(notebook, jobs)
