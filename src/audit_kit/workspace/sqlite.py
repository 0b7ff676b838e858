"""The one way the workspace opens its SQLite files: a write connection in WAL mode with a busy timeout, or
a read-only one that changes nothing in the file (no journal switch, no schema), for copies and checks."""

from __future__ import annotations

import os
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


def read_only(path: Path, immutable: bool = False, any_thread: bool = False, autocommit: bool = False) -> sqlite3.Connection:
    """Open ``path`` read-only: nothing is written to it, not even a journal switch. ``immutable``: the file
    is promised not to change while open — no locks and no WAL shared memory, so it can be read over a
    network file system (a batch's index copy) or from a read-only folder (where SQLite could not make the WAL
    index it needs otherwise)."""
    immutable = immutable or (not writable(path) and not _wal_readable(path))
    uri = f"{path.absolute().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    if autocommit:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=not any_thread,
                               isolation_level=None)
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=not any_thread)


def writable(path: Path) -> bool:
    """Whether ``path`` (an SQLite file, existing or not) can be written by this process: the file and its
    folder (WAL keeps its journal and shared memory beside it)."""
    folder = path.parent if path.parent.exists() else next(p for p in path.parents if p.exists())
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def open_for(path: Path, synchronous: Synchronous = "NORMAL", autocommit: bool = False,
             any_thread: bool = False) -> sqlite3.Connection:
    """:func:`connect` when ``path`` can be written, else a read-only connection to the existing file (a
    workspace on a read-only disk or copied without write permission), which then refuses every write; an
    empty in-memory database when there is no such file and it cannot be created (the caller makes its schema)."""
    if writable(path):
        return connect(path, synchronous, autocommit, any_thread)
    if not path.exists():  # nothing stored yet, and nowhere to store it: an empty database of this connection
        if autocommit:
            return sqlite3.connect(":memory:", check_same_thread=not any_thread, isolation_level=None)
        return sqlite3.connect(":memory:", check_same_thread=not any_thread)
    return read_only(path, any_thread=any_thread, autocommit=autocommit)


def _wal_readable(path: Path) -> bool:
    """Whether SQLite can read ``path`` read-only with its WAL index (its -shm file exists and can be read)."""
    shm = path.with_name(path.name + "-shm")
    return shm.exists() and os.access(shm, os.R_OK)


def is_read_only(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite refusing a write to a read-only database."""
    return isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc).replace("read-only", "readonly")


def damaged(exc: BaseException) -> bool:
    """Whether ``exc`` says the file itself is damaged (not a database, malformed) — not that it is busy, read-only
    or on a full disk (those are ``OperationalError``)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
