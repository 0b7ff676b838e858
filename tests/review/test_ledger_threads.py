"""The ledger is used from any thread: JupyterLab runs a widget's callback in another thread than the cell
that opened the ledger, and an opinion edited there must reach the ledger, never fail silently."""

from __future__ import annotations

import threading

import audit_kit
from audit_kit.review.walker import FindingWalker
from audit_kit.workspace.ledger import Ledger


def _finding(seed_path) -> dict:
    results = audit_kit.check(audit_kit.load(seed_path))
    return results[results["status"] == "fail"].iloc[0].to_dict()


def test_a_decision_recorded_from_another_thread_reaches_the_ledger(tmp_path, seed_path):
    ledger = Ledger(tmp_path / "ledger.sqlite")  # opened in this thread, as the notebook's cell does
    finding = _finding(seed_path)
    errors: list[BaseException] = []

    def callback() -> None:  # what a widget's observer does, in the kernel's other thread
        try:
            ledger.record(finding, "confirmed", "线程中记录的意见", "张审核")
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=callback) for _ in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors, errors
    history = Ledger(tmp_path / "ledger.sqlite").history(finding["fingerprint"])
    assert list(history["comment"]) == ["线程中记录的意见"] * 4
    assert ledger.verify().ok  # chained in order, whichever thread wrote


def test_a_failure_in_a_widget_callback_is_shown_in_chinese_in_the_widget(tmp_path, seed_path):
    report = audit_kit.load(seed_path)
    ledger = Ledger(tmp_path / "ledger.sqlite")
    walker = FindingWalker(audit_kit.check(report), ledger, report, "张审核")
    ledger.close()  # the next write fails, as a full disk or a locked file would
    walker.decide("confirmed")  # must not raise into the lab's log console
    shown = walker.message.value
    assert "未能记录" in shown and "审核记录" in shown
    walker.comment.value = "改过的意见"  # an observer's failure is shown too
    assert "未能" in walker.message.value
