"""The one way the workspace opens its SQLite files: a write connection in WAL mode with a busy timeout, or
a read-only one that changes nothing in the file (no journal switch, no schema), for copies and checks."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

BUSY_TIMEOUT_S = 30  # another process holding the write lock: wait this long, then fail
Synchronous = Literal["NORMAL", "FULL"]


def connect(path: Path, synchronous: Synchronous = "NORMAL", autocommit: bool = False,
            any_thread: bool = False) -> sqlite3.Connection:
    """Open (creating) ``path`` for writing: WAL journal (readers never wait for a writer), ``synchronous``
    NORMAL (a commit survives a crash of the process) or FULL (of the machine too). ``autocommit``: no
    implicit transactions (the caller runs ``BEGIN IMMEDIATE`` itself). ``any_thread``: the connection may be
    used from any thread — the caller then serialises its use (a lock)."""
    if autocommit:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=not any_thread)
    else:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=not any_thread)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    return db


def read_only(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """Open ``path`` read-only: nothing is written to it, not even a journal switch. ``immutable``: the file
    is promised not to change while open — no locks and no WAL shared memory, so it can be read over a
    network file system (a batch's index copy)."""
    uri = f"{path.absolute().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
