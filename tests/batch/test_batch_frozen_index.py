"""A batch's workers read a frozen copy of the store's index (one file, no WAL), never the live
SQLite index, so workers on other hosts can read it over a network file system."""

from __future__ import annotations

import shutil
import sqlite3

import pandas as pd
import pytest

import audit_kit
from audit_kit.batch import client as batch
from audit_kit.batch import tasks
from audit_kit.batch.client import run_batch
from audit_kit.testing import samples
from audit_kit.workspace.reports import ReportStore


def _stored(tmp_path, n: int = 2) -> tuple[ReportStore, list]:
    reports = []
    for i in range(n):
        spec = samples.make_report("2021", 2022, seed=i, agency=f"示例县第{i}局")
        reports.append(audit_kit.load(samples.write(spec, tmp_path / f"r{i}.txt")))
    store = ReportStore(tmp_path / "store")
    for r in reports:
        assert store.add(r)
    return store, reports


def test_frozen_copy_reads_like_the_store_and_cannot_be_written(tmp_path):
    store, reports = _stored(tmp_path)
    name = store.freeze()
    late = audit_kit.load(samples.write(samples.make_report("2021", 2022, seed=7, agency="示例县后来局"),
                                        tmp_path / "late.txt"))
    store.add(late)  # stored after the copy was made
    with ReportStore(tmp_path / "store", frozen=name) as frozen:
        for r in reports:
            assert frozen.has(r.meta["sha256"]) == r.meta["report_id"]
            pd.testing.assert_frame_equal(frozen.get(r.meta["report_id"]).cells, r.cells)
        assert frozen.has(late.meta["sha256"]) is None
        ids = {r.meta["report_id"] for r in [*reports, late]}
        assert frozen.known(ids) == ids - {late.meta["report_id"]}
        with pytest.raises(sqlite3.OperationalError):
            frozen.index([(late.meta, late.sections, "cells/x.parquet")])
    store.close()


def test_frozen_copy_is_one_self_contained_file(tmp_path):
    """Another host sees the copy without the live index's -wal and -shm files."""
    store, reports = _stored(tmp_path)
    name = store.freeze()
    store.close()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(tmp_path / "store" / name, elsewhere / name)
    assert not list(elsewhere.glob("*-wal")) and not list(elsewhere.glob("*-shm"))
    with ReportStore(elsewhere, frozen=name) as frozen:
        assert frozen.has(reports[1].meta["sha256"]) == reports[1].meta["report_id"]


def test_freezing_again_removes_a_dead_batchs_copy(tmp_path):
    store, _ = _stored(tmp_path, 1)
    first = store.freeze()
    second = store.freeze()
    assert [p.name for p in (tmp_path / "store").glob(".index-frozen-*")] == [second] != [first]
    store.close()


def test_batch_tasks_open_the_frozen_copy_and_leave_none_behind(tmp_path, monkeypatch):
    series = samples.make_series("示例县民政局", [2022, 2023], seed=9)
    (tmp_path / "y1").mkdir()
    (tmp_path / "y2").mkdir()
    samples.write(series[0], tmp_path / "y1" / "2022.txt")
    samples.write(series[1], tmp_path / "y2" / "2023.txt")
    run_batch(tmp_path / "y1", tmp_path / "o1", store=tmp_path / "store")

    opened: list[str | None] = []

    class Recording(ReportStore):
        def __init__(self, *args, **kwargs) -> None:
            opened.append(kwargs.get("frozen"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tasks, "ReportStore", Recording)
    in_tasks: list[str | None] = []

    def recorded(task):
        def run(*args, **kwargs):
            before = len(opened)
            try:
                return task(*args, **kwargs)
            finally:
                in_tasks.extend(opened[before:])
        return run

    monkeypatch.setattr(batch, "read_chunk", recorded(batch.read_chunk))
    monkeypatch.setattr(batch, "cross_chunk", recorded(batch.cross_chunk))
    reports = run_batch(tmp_path / "y2", tmp_path / "o2", store=tmp_path / "store")
    assert len(in_tasks) == 2 and all(name and name.startswith(".index-frozen-") for name in in_tasks)
    assert "2022.txt" in reports.loc[0, "pairing"]  # last year's report, stored by the first batch, was read
    res = pd.read_csv(tmp_path / "o2" / "results.csv")
    assert set(res.loc[res["check_id"] == "Y-1", "status"]) == {"pass"}
    assert not list((tmp_path / "store").glob(".index-frozen-*"))


def test_a_prior_stored_while_the_batch_runs_is_still_used(tmp_path, monkeypatch):
    """Last year's report stored by another program after the batch froze its copy (a notebook, a memo):
    the client sends it to the workers, so the cross-year checks run against it."""
    series = samples.make_series("示例县民政局", [2022, 2023], seed=9)
    (tmp_path / "in").mkdir()
    samples.write(series[1], tmp_path / "in" / "2023.txt")
    prior = audit_kit.load(samples.write(series[0], tmp_path / "2022.txt"))
    real_freeze = ReportStore.freeze

    def freeze_then_store(self: ReportStore) -> str:
        name = real_freeze(self)
        with ReportStore(self.path) as other:
            other.add(prior)
        return name

    monkeypatch.setattr(ReportStore, "freeze", freeze_then_store)
    reports = run_batch(tmp_path / "in", tmp_path / "out", store=tmp_path / "store")
    assert "2022.txt" in reports.loc[0, "pairing"]
    res = pd.read_csv(tmp_path / "out" / "results.csv")
    assert set(res.loc[res["check_id"] == "Y-1", "status"]) == {"pass"}
