"""The log of a batch: ``OUTDIR/batch.log`` gets the full traceback of every failure of the run (a file that
could not be read, an internal error, a memo that was not written), while the console keeps one line per
file. Python ``logging``: the ``audit_kit`` logger has a file handler only while a batch runs, and none
otherwise (nothing reaches the console through logging)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

LOG_NAME = "batch.log"
log = logging.getLogger("audit_kit.batch.client")
log.setLevel(logging.INFO)  # the run's start and end lines too
logging.getLogger("audit_kit").addHandler(logging.NullHandler())  # a library: no console output by default

_ACTIVE: dict[Path, tuple[logging.Handler, int]] = {}  # log file → (its handler, how many runs hold it)


@contextlib.contextmanager
def batch_log(outdir: str | Path) -> Iterator[Path]:
    """Write the ``audit_kit`` log to ``outdir/batch.log`` (started afresh) while the block runs. Nested
    blocks on the same folder share the file (the CLI holds it over the batch and its memos). An exception
    leaving the block is logged with its traceback before it goes on."""
    path = (Path(outdir) / LOG_NAME).resolve()
    if path in _ACTIVE:
        handler, depth = _ACTIVE[path]
        _ACTIVE[path] = (handler, depth + 1)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logging.getLogger("audit_kit").addHandler(handler)
        _ACTIVE[path] = (handler, 1)
        log.info("批量开始：输出文件夹 %s", outdir)
    try:
        yield path
    except Exception:
        if _ACTIVE[path][1] == 1:  # the outermost block logs it once
            log.exception("批量运行中止")
        raise
    finally:
        handler, depth = _ACTIVE[path]
        if depth > 1:
            _ACTIVE[path] = (handler, depth - 1)
        else:
            log.info("批量结束")
            del _ACTIVE[path]
            logging.getLogger("audit_kit").removeHandler(handler)
            handler.close()


def file_failed(file: str, reason: str, detail: str) -> None:
    """Log a file the batch could not read or check, with the traceback the worker recorded."""
    log.error("读取失败 %s：%s\n%s", file, reason, detail.rstrip() or "（没有 traceback）")


def memo_failed(file: str, reason: str, detail: str) -> None:
    """Log a memo that was not written, with its traceback."""
    log.error("审核意见书未生成 %s：%s\n%s", file, reason, detail.rstrip() or "（没有 traceback）")
