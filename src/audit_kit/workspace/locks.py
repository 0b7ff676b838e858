"""One batch at a time per output folder and per store: an exclusive ``fcntl.flock`` on
``FOLDER/.audit-kit.lock``, taken without waiting.

The lock file holds who has the lock (pid, host, start time, command line) as JSON, written right after
the lock is taken and emptied before it is released. The kernel releases a flock when its holder dies,
so the lock of a killed run is simply taken over; its info, left behind, is overwritten by the new
holder and is only ever shown while someone holds the lock — so it never names a dead run as running.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import FolderBusyError

LOCK_NAME = ".audit-kit.lock"


def _who() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds"), "command": " ".join(sys.argv)}


def describe(info: dict) -> str:
    """Who holds a lock, in Chinese, from the info in its file."""
    if not info:
        return "另一进程刚刚开始运行，尚未写入其信息"
    return (f"进程 {info.get('pid')}，主机 {info.get('host')}，开始于 {info.get('started')}，"
            f"命令：{info.get('command')}")


def holder(folder: str | Path) -> dict | None:
    """The info of the run holding ``folder``'s lock, or None when nobody holds it."""
    path = Path(folder) / LOCK_NAME
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 65536, 0).decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        return {}


@contextlib.contextmanager
def exclusive(folder: str | Path, what: str) -> Iterator[None]:
    """Hold ``folder``'s lock for the block; raise :class:`FolderBusyError` at once when another run holds
    it. ``what`` names the folder in the message (输出文件夹, 报告库)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        info = _read(fd)
        os.close(fd)
        raise FolderBusyError(str(folder), f"另一个批量审核正在使用此{what}（{describe(info)}）；"
                                           f"请等它结束后再运行，或换一个{what}") from exc
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_who(), ensure_ascii=False).encode("utf-8"), 0)
        yield
    finally:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
