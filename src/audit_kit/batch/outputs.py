"""A batch's outputs, published as one set: a reader sees the complete old set or the complete new one.

How (all in the output folder, on one file system, so every rename is atomic):

1. the batch writes every output into ``OUT/.staging-<id>/`` (a staging folder left by a killed run is
   removed by the next run, under the run lock of ``locks.py``); ``manifest.json`` (run id, time, files and
   their sizes) is written last into it;
2. under the exclusive publish lock (``OUT/.publish.lock``) the staging folder is renamed to
   ``OUT/.commit-<id>`` — one atomic rename, the point of no return: a kill before it leaves the old set;
3. each file is renamed from there into ``OUT/``, ``manifest.json`` last, and the commit folder removed.

A kill during step 3 leaves a ``.commit-<id>`` folder; whoever comes next — the next batch, or any reader
through :func:`reading` — first finishes the renames (roll forward). Readers hold the publish lock shared
while they read (:func:`reading`, :func:`read`), so they never read half of a publication. A program that
opens the files directly, bypassing this module, could see a mixed set only between a kill in step 3 and
the next reader or batch; ``manifest.json`` says which run the set belongs to.

The package reads the Parquet files (``reports.parquet``, ``indicators.parquet``), never the CSVs, whose
text is neutralised for spreadsheets (``csvsafe.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

MANIFEST = "manifest.json"
# The files a batch publishes (manifest.json last); the memos and index.html are written beside them.
FILES = ["reports.csv", "reports.parquet", "results.csv", "results.parquet", "cells.parquet", "indicators.csv",
         "indicators.parquet"]
INDEX = "index.html"
PUBLISH_LOCK = ".publish.lock"
STAGING = ".staging-"
COMMIT = ".commit-"
def start(outdir: Path) -> Path:
    """A fresh staging folder in ``outdir``, after clearing what a killed run left there. Call it while
    holding the output folder's run lock."""
    outdir.mkdir(parents=True, exist_ok=True)
    recover(outdir)
    for old in outdir.glob(STAGING + "*"):
        shutil.rmtree(old, ignore_errors=True)
    staged = outdir / f"{STAGING}{uuid.uuid4().hex[:12]}"
    staged.mkdir()
    return staged


@contextlib.contextmanager
def _publish_lock(outdir: Path, mode: int) -> Iterator[None]:
    try:
        fd = os.open(outdir / PUBLISH_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only copy of an output folder: nobody publishes there
        yield
        return
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def publish(outdir: Path, staged: Path, files: list[str]) -> None:
    """Write the manifest of ``files`` into ``staged`` and move the set into ``outdir`` (steps 1–3)."""
    manifest = {"run": staged.name[len(STAGING):], "written": dt.datetime.now().isoformat(timespec="seconds"),
                "files": {name: (staged / name).stat().st_size for name in files}}
    (staged / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    with _publish_lock(outdir, fcntl.LOCK_EX):
        commit = outdir / f"{COMMIT}{manifest['run']}"
        os.replace(staged, commit)
        _roll_forward(outdir)


def _roll_forward(outdir: Path) -> None:
    """Finish every started publication: move its remaining files into place, the manifest last."""
    for commit in sorted(outdir.glob(COMMIT + "*")):
        manifest = json.loads((commit / MANIFEST).read_text(encoding="utf-8")) if (commit / MANIFEST).exists() else None
        if manifest is None:  # its manifest is already in place: only the empty folder is left
            shutil.rmtree(commit, ignore_errors=True)
            continue
        for name in manifest["files"]:
            if (commit / name).exists():
                os.replace(commit / name, outdir / name)
        os.replace(commit / MANIFEST, outdir / MANIFEST)
        shutil.rmtree(commit, ignore_errors=True)


def recover(outdir: Path) -> None:
    """Finish a publication a killed batch left half done (a no-op when there is none)."""
    if any(Path(outdir).glob(COMMIT + "*")):
        with _publish_lock(Path(outdir), fcntl.LOCK_EX):
            _roll_forward(Path(outdir))


@contextlib.contextmanager
def reading(outdir: str | Path) -> Iterator[Path]:
    """Read a batch output folder inside this block: a publication never happens half-way through it."""
    out = Path(outdir)
    recover(out)
    with _publish_lock(out, fcntl.LOCK_SH):
        yield out


def read(outdir: str | Path, name: str) -> pd.DataFrame:
    """One output table (``reports``, ``results``, ``indicators``, ``cells``) as the package reads it: from
    its Parquet file (from the CSV for a folder written before there was one)."""
    return read_set(outdir, [name])[name]


def read_set(outdir: str | Path, names: list[str]) -> dict[str, pd.DataFrame]:
    """Several output tables, read from one and the same published set."""
    with reading(outdir) as out:
        return {name: _table(out, name) for name in names}


def _table(out: Path, name: str) -> pd.DataFrame:
    if (out / f"{name}.parquet").exists():
        return pd.read_parquet(out / f"{name}.parquet")
    path = out / f"{name}.csv"
    return pd.read_csv(path) if path.stat().st_size > 1 else pd.DataFrame()


MEMO_STATUS = "memos.csv"  # how each memo of a batch went (OUTDIR/memos/): file, memo, error


def memo_name(file: str) -> str:
    """The memo file name of a report file: its name with the folder path folded in, plus .html; the name
    part is cut to 150 bytes so the whole stays under the 255-byte limit of file names."""
    import hashlib

    stem = Path(file).stem.encode("utf-8")[:120].decode("utf-8", errors="ignore")  # a file name has 255 bytes at most
    return f"{stem}-{hashlib.sha1(file.encode('utf-8')).hexdigest()[:6]}.html"
