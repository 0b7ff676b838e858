"""The ``audit-kit`` command's entry point: parse, run the command, turn errors into one line and an exit status."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from ..config import Config
from ..errors import AuditKitError, disk_full
from .parser import build_parser
from .terminal import say


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit status. The configuration is read from the environment here, once,
    and ``--max-mb`` replaces its size limits (``args.config`` goes to every reader and batch task)."""
    import logging

    # pdfminer warns on stderr for every glyph of fonts without a FontBBox (Chromium's PDFs): noise to an
    # auditor. The command is the application, so it sets its libraries' logging; the library never does.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    args.config = Config.from_env()
    if getattr(args, "max_mb", None):
        args.config = args.config.but(max_mb=args.max_mb)
    if getattr(args, "max_pages", None):
        args.config = args.config.but(max_pages=args.max_pages)
    try:
        return func(args)
    except BrokenPipeError:  # the reader of our output went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 141  # as a program killed by SIGPIPE
    except AuditKitError as exc:
        say(f"audit-kit: {exc}", err=True)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: one line, no traceback (a batch says more, see cmd_batch)
        say("audit-kit: 已中断", err=True)
        return 130
    except Exception as exc:
        if os.environ.get("AUDIT_KIT_DEBUG"):
            raise
        target = (getattr(args, "path", None) or getattr(args, "dir", None)
                  or " ".join(getattr(args, "paths", []) or []))
        if disk_full(exc):  # a write the command did not expect to fail: still the user's to fix
            say(f"audit-kit: {target}: 磁盘空间不足，写入失败（{exc}）；请腾出空间后重新运行", err=True)
            return 2
        say(f"audit-kit: {target}: 内部错误（{type(exc).__name__}: {exc}），请报告此问题", err=True)
        return 2


def run() -> None:
    """The ``audit-kit`` command: :func:`main`, then out without the interpreter's teardown.

    Tearing down pandas, pyarrow, nbconvert and the kernel client's modules takes ~0.35 s after all work is
    done — a tenth of a memo. Every file is closed and every database committed when ``main`` returns, so
    the logs and standard streams are flushed and the process ends there."""
    import contextlib
    import logging

    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # a reader gone away, or a stream already closed
            stream.flush()
    os._exit(code)
