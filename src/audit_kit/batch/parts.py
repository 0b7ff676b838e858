"""Part files of a batch: each task writes its rows to a Parquet part of its own, and the parts are joined
into one output file (and its spreadsheet CSV copy) in the order of the files — in a thread, while the
batch runs, so the batch does not end with a long join while its workers idle."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..render.spreadsheet import BOM, safe_table


def write_part(table: pa.Table, path: str) -> None:
    """Write a part file whole or not at all (a worker may die in the middle)."""
    tmp = f"{path}.{uuid.uuid4().hex[:12]}.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def join_parts(parts: Iterable[Path], dst: Path, schema: pa.Schema, csv: Path | None = None) -> None:
    """Concatenate part files into one Parquet file (and a spreadsheet CSV copy: BOM, neutralised text),
    part by part: the whole table never sits in memory."""
    with pq.ParquetWriter(dst, schema) as writer, contextlib.ExitStack() as stack:
        to_csv = None
        if csv:
            fh = stack.enter_context(csv.open("wb"))
            fh.write(BOM.encode("utf-8"))
            to_csv = stack.enter_context(pacsv.CSVWriter(fh, schema))
        for part in parts:
            table = pq.read_table(part, schema=schema)
            writer.write_table(table)
            if to_csv is not None:
                to_csv.write_table(safe_table(table))


class Joiner:
    """:func:`join_parts` in a thread of its own, fed the parts as the batch accepts them (in file order).
    Parquet and the CSV writer release the GIL, so the join runs while the client waits for its workers."""

    def __init__(self, dst: Path, schema: pa.Schema, csv: Path | None = None) -> None:
        self._parts: queue.Queue[Path | None] = queue.Queue()
        self._error: BaseException | None = None
        self._ended = False  # the end mark was taken from the queue
        self._thread = threading.Thread(target=self._run, args=(dst, schema, csv), name=f"join {dst.name}",
                                        daemon=True)
        self._thread.start()

    def add(self, parts: Iterable[str | Path]) -> None:
        for part in parts:
            self._parts.put(Path(part))

    def _queued(self) -> Iterator[Path]:
        while (part := self._parts.get()) is not None:
            yield part
        self._ended = True

    def _run(self, dst: Path, schema: pa.Schema, csv: Path | None) -> None:
        try:
            join_parts(self._queued(), dst, schema, csv)
        except BaseException as exc:  # raised again by finish(), in the batch's own thread
            self._error = exc
            if not self._ended:
                for _rest in self._queued():  # wait for the end mark: close() must not block
                    pass

    def close(self) -> None:
        """Wait until every part added is joined and the files are closed (after an error: the thread ends)."""
        self._parts.put(None)
        self._thread.join()

    def finish(self) -> None:
        """:meth:`close`, then raise what the join raised."""
        self.close()
        if self._error is not None:
            raise self._error
