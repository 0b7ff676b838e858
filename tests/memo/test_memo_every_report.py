"""Every report that loads gets a memo — one whose tables could not be read says so — and
the batch index lists every report of the batch, read or not, with the memo's status."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

import audit_kit
from audit_kit.memo.write import write_memo
from audit_kit.testing import samples


def _tableless(folder: Path) -> Path:
    """A generated report whose three tables are cut out: the narrative stays, no cell can be read."""
    text = samples.to_text(samples.make_report("2021", seed=5, agency="示例县审计局"))
    head, rest = text.split("二、主动公开政府信息情况\n", 1)
    tail = rest.split("五、存在的主要问题及改进情况\n", 1)[1]
    path = folder / "无表格.txt"
    path.write_text(f"{head}二、主动公开政府信息情况\n本年度主动公开情况详见网站。\n三、收到和处理政府信息公开申请情况\n"
                    f"本年度收到申请若干件。\n四、政府信息公开行政复议、行政诉讼情况\n无。\n五、存在的主要问题及改进情况\n{tail}",
                    encoding="utf-8")
    return path


class _Rows(HTMLParser):
    """The cells of the memo index's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._in = True
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = self._in and tag != "td"

    def handle_data(self, data: str) -> None:
        if self._in:
            self.rows[-1][-1] += data


def test_a_report_without_tables_gets_a_memo_saying_so(tmp_path):
    src = _tableless(tmp_path)
    assert audit_kit.load(src).cells.empty  # the premise: it loads, and no cell is read
    page = write_memo(str(src), tmp_path / "m.html", ledger=str(tmp_path / "l.sqlite")).read_text(encoding="utf-8")
    assert "示例县审计局" in page
    assert "未读到表格" in page and "没有读到表二、表三、表四的任何单元格" in page
    assert "二、问题清单" in page and "需人工核对" in page and "附：审核记录" in page  # the whole memo was written
    assert "此处生成时出错" not in page


def test_batch_over_the_corpus_writes_a_memo_for_every_report_and_lists_every_file(corpus, tmp_path):
    """The 51 dev reports (9 of them without readable tables) plus an unreadable file: a memo for each report
    read, status ok, and one index row per file."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix != ".jsonl")
    for p in files:  # copies in a temporary folder (a batch does not follow links out of its folder)
        shutil.copyfile(p, folder / p.name)
    (folder / "坏文件.docx").write_bytes(b"not a zip")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(folder), "-o", str(out), "--store",
                           str(tmp_path / "store"), "--memos", "--jobs", "2", "--ledger", str(tmp_path / "l.sqlite")],
                          capture_output=True, text=True, timeout=1800)
    assert "审核意见书未生成" not in proc.stderr, proc.stderr
    reports = pd.read_csv(out / "reports.csv")
    ok = reports[reports["status"] == "ok"]
    assert len(reports) == len(files) + 1 and len(ok) == len(files)
    status = pd.read_csv(out / "memos" / "memos.csv", keep_default_na=False)
    assert sorted(status["file"]) == sorted(ok["file"]) and set(status["error"]) == {""}
    assert all((out / "memos" / m).stat().st_size > 0 for m in status["memo"])
    rows = _Rows()
    rows.feed((out / "index.html").read_text(encoding="utf-8"))
    listed = [r for r in rows.rows if len(r) == 10]  # 单位, 年度, 审核结论, 确认问题, 审核进度, 复核, 错误, 警告, 文件, 状态
    assert len(listed) == len(reports)
    assert sum(r[-1] == "审核意见书已生成" for r in listed) == len(ok)
    assert [r[-2] for r in listed if r[-1].startswith("读取失败：")] == ["坏文件.docx"]


def test_index_says_which_memo_failed_and_why(tmp_path):
    from audit_kit.batch.outputs import memo_name
    from audit_kit.review.batch_view import BatchView
    from audit_kit.workspace.ledger import Ledger

    reports = pd.DataFrame({"file": ["/d/a.txt", "/d/b.txt", "/d/c.pdf"], "status": ["ok", "ok", "error"],
                            "reason": ["", "", "需要 OCR"], "agency": ["甲局", "乙局", None], "report_year": [2023, 2023, None],
                            "template": ["2021"] * 3, "errors": [1, 0, None], "warnings": [0, 2, None], "infos": [0, 0, None],
                            "pairing": [""] * 3})
    (tmp_path / "memos").mkdir()
    (tmp_path / "memos" / memo_name("/d/a.txt")).write_text("memo", encoding="utf-8")
    pd.DataFrame({"file": ["/d/a.txt", "/d/b.txt"], "memo": [memo_name("/d/a.txt"), memo_name("/d/b.txt")],
                  "error": ["", "笔记本单元格运行超过 300 秒，已中止"]}).to_csv(tmp_path / "memos" / "memos.csv", index=False)
    view = BatchView(tmp_path, reports, pd.DataFrame(), pd.DataFrame(), Ledger(tmp_path / "l.sqlite"))
    rows = _Rows()
    rows.feed(str(view.memo_links()))
    listed = {r[-2]: r[-1] for r in rows.rows if len(r) == 10}
    assert listed == {"a.txt": "审核意见书已生成", "b.txt": "审核意见书生成失败：笔记本单元格运行超过 300 秒，已中止",
                      "c.pdf": "读取失败：需要 OCR"}
