"""Where a batch's tasks run: in this process, in a local pool of processes (``--jobs``), or on a Dask
cluster (``--scheduler``). The batch's task functions (``batch.read_chunk``, ``batch.cross_chunk``) are the
same in every engine; an engine only runs them and yields each result as its task completes, with a
bounded look-ahead so the client never holds more than a few tasks' arguments at once.

:func:`in_order` turns those results back into chunk order (so what the client commits and writes does not
depend on which worker finished first) and handles a chunk whose task keeps killing workers: Dask gives up
on such a task after its ``allowed-failures``; the chunk is then run again file by file, and a file that
still kills a worker becomes an ``error`` row (the caller's ``lost``) — never retried forever.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

LOOK_AHEAD = 2  # tasks in flight per worker thread
RETRIES = 2  # a task that raises is run again this often (Dask); a lost worker's tasks always run again
LOST = "处理时工作进程多次意外退出（可能是内存不足或程序崩溃），已放弃此文件"


class WorkerLost(Exception):
    """A task whose workers kept dying (Dask's KilledWorker): its chunk is split, never retried forever."""


class Engine(Protocol):
    """Runs task functions; results come back as tasks complete."""

    def imap(self, fn: Callable, calls: Sequence[tuple], keys: Sequence[str]) -> Iterator[tuple[int, Any]]:
        """(index of the call, its result) in completion order; the result is a :class:`WorkerLost` when the
        task's workers kept dying. Any other failure of a task is raised."""
        ...

    def executor(self) -> Executor | None:
        """An executor for the OCR pre-pass (None: in this process)."""
        ...

    def close(self) -> None: ...


class InProcess:
    """Every task in this process, one after the other (``--jobs 1``)."""

    def imap(self, fn: Callable, calls: Sequence[tuple], keys: Sequence[str]) -> Iterator[tuple[int, Any]]:
        for i, args in enumerate(calls):
            yield i, fn(*args)

    def executor(self) -> Executor | None:
        return None

    def close(self) -> None:
        pass


class LocalPool:
    """A pool of ``jobs`` processes on this machine (``--jobs N``)."""

    def __init__(self, jobs: int, initializer: Callable[[], None] | None = None) -> None:
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs, initializer=initializer)

    def imap(self, fn: Callable, calls: Sequence[tuple], keys: Sequence[str]) -> Iterator[tuple[int, Any]]:
        todo = iter(enumerate(calls))
        running: dict[Future, int] = {}

        def more() -> None:
            while len(running) < LOOK_AHEAD * self.jobs and (nxt := next(todo, None)) is not None:
                running[self.pool.submit(fn, *nxt[1])] = nxt[0]

        more()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=running.__getitem__):
                yield running.pop(future), future.result()  # a broken pool raises: the batch stops, as before
            more()

    def executor(self) -> Executor | None:
        return self.pool

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _freeze() -> None:
    import gc

    gc.freeze()


class DaskCluster:
    """The tasks on a Dask distributed cluster at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(self, address: str, timeout: float = 30) -> None:
        from distributed import Client

        from ..errors import SchedulerError

        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(address, f"无法连接 Dask 调度器（{type(exc).__name__}: {exc}）；"
                                          "请检查地址（tcp://主机:端口）和调度器是否已启动") from exc
        self.run_id = uuid.uuid4().hex[:8]  # task keys are unique to this run
        self.client.run(_freeze)

    def threads(self) -> int:
        """The worker threads of the cluster now (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def dashboard(self) -> str | None:
        """The dashboard's address, or None when the scheduler has none: its HTTP server answers 404 there
        when bokeh is not installed beside it."""
        import importlib.util

        try:
            if self.client.run_on_scheduler(importlib.util.find_spec, "bokeh") is None:
                return None
            return self.client.dashboard_link or None
        except Exception:  # no dashboard service, or a scheduler that refuses to run the look-up
            return None

    def imap(self, fn: Callable, calls: Sequence[tuple], keys: Sequence[str]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        todo = iter(enumerate(calls))
        index: dict[str, int] = {}
        queue = as_completed(loop=self.client.loop)

        def submit() -> bool:
            nxt = next(todo, None)
            if nxt is None:
                return False
            i, args = nxt
            key = f"audit-kit-{self.run_id}-{keys[i]}"
            index[key] = i
            queue.add(self.client.submit(fn, *args, key=key, retries=RETRIES, pure=False))
            return True

        for _ in range(LOOK_AHEAD * self.threads()):
            if not submit():
                break
        for future in queue:
            i = index.pop(future.key)
            if future.status == "error":
                exc = future.exception()
                if not isinstance(exc, KilledWorker):
                    raise exc
                result: Any = WorkerLost(str(exc))
            else:
                result = future.result()
            future.release()
            yield i, result
            submit()

    def executor(self) -> Executor | None:
        return self.client.get_executor(retries=RETRIES, pure=False)

    def close(self) -> None:
        self.client.close()


def connect(scheduler: str | None, jobs: int, initializer: Callable[[], None] | None = None) -> Engine:
    """The engine for a batch: the Dask cluster at ``scheduler``, else a local pool of ``jobs`` processes
    (in this process for ``jobs`` ≤ 1). On a cluster, prints where its dashboard is (Chinese line)."""
    if scheduler:
        cluster = DaskCluster(scheduler)
        link = cluster.dashboard()
        print(f"Dask 集群 {scheduler}：{cluster.threads()} 个工作线程；"
              + (f"仪表盘 {link}" if link else "无仪表盘"), file=sys.stderr)
        return cluster
    if jobs > 1:
        return LocalPool(jobs, initializer)
    return InProcess()


def in_order(engine: Engine, fn: Callable, chunks: list[list], names: list[str], shared: object,
             lost: Callable[[Any, str], Any], tick: Callable[[int], None]) -> Iterator[tuple[list[str], list]]:
    """``fn(chunk, shared, name)`` for every chunk on ``engine``; yields (the part names whose files hold
    the chunk's outputs, the chunk's outputs: one per item) in chunk order. ``tick(n)`` as each chunk
    completes (for the progress bar). A chunk whose workers kept dying is run again item by item (parts
    ``NAME-s000``…); an item that still kills its worker gives ``lost(item, reason)`` and no part."""
    calls = [(chunk, shared, name) for chunk, name in zip(chunks, names, strict=True)]
    keys = [name.rsplit("/", 1)[-1] for name in names]
    ready: dict[int, tuple[list[str], list]] = {}
    following = 0
    for i, result in engine.imap(fn, calls, keys):
        if isinstance(result, WorkerLost):
            ready[i] = _one_by_one(engine, fn, chunks[i], names[i], shared, lost)
        else:
            ready[i] = ([names[i]], result)
        tick(len(chunks[i]))
        while following in ready:
            yield ready.pop(following)
            following += 1


def _one_by_one(engine: Engine, fn: Callable, chunk: list, name: str, shared: object,
                lost: Callable[[Any, str], Any]) -> tuple[list[str], list]:
    """A chunk whose workers kept dying, run again as one task per item."""
    singles = [f"{name}-s{j:03d}" for j in range(len(chunk))]
    calls = [([item], shared, single) for item, single in zip(chunk, singles, strict=True)]
    outputs: list = [None] * len(chunk)
    used: list[str | None] = [None] * len(chunk)
    for j, result in engine.imap(fn, calls, [s.rsplit("/", 1)[-1] for s in singles]):
        if isinstance(result, WorkerLost):
            outputs[j] = lost(chunk[j], LOST)
        else:
            outputs[j], used[j] = result[0], singles[j]
    return [u for u in used if u], outputs
