"""Every format gives the same two outcomes. A file that is no 年度报告 at all is an error
(NotAReportError, one line, exit 2, an ``error`` row in a batch); a report whose tables were cut off or
removed loads, and F-3 fails at error level saying the tables could not be found or read (exit 1)."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import audit_kit
from audit_kit import errors
from audit_kit.readers.legacy import convert, soffice
from audit_kit.testing import samples

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")

NOTICE_TITLE = "关于做好春季森林防火工作的通知"
NOTICE = ["各乡镇人民政府，县直各单位：", "当前已进入春季森林防火关键期，为切实做好防火工作，现将有关事项通知如下。",
          "（一）提高思想认识。各单位要高度重视，落实主体责任，加强巡查值守。",
          "（二）加强宣传教育。通过广播、标语等形式开展防火宣传，严禁野外用火。",
          "（三）做好应急准备。储备扑火物资，组织扑火演练，确保一旦发生火情能够迅速处置。",
          "特此通知。", "县森林防火指挥部办公室", "2024年3月1日"]
ROSTER = [["日期", "值班领导", "值班人员", "联系电话"], ["3月1日", "张三", "李四", "0000-1234567"],
          ["3月2日", "王五", "赵六", "0000-7654321"]]


# ---- files that are no report ----------------------------------------------------------------------

def _notice_txt(tmp: Path) -> Path:
    path = tmp / "notice.txt"
    path.write_text("\n".join([NOTICE_TITLE, *NOTICE, *("\t".join(r) for r in ROSTER)]), encoding="utf-8")
    return path


def _notice_html(tmp: Path) -> Path:
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in ROSTER)
    body = "".join(f"<p>{p}</p>" for p in NOTICE)
    path = tmp / "notice.html"
    path.write_text(f"<html><head><title>{NOTICE_TITLE}</title></head><body><table><tr><td>首页</td><td>新闻中心</td>"
                    f"<td>联系我们</td></tr></table><h1>{NOTICE_TITLE}</h1>{body}<table>{rows}</table></body></html>",
                    encoding="utf-8")
    return path


def _notice_docx(tmp: Path) -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = NOTICE_TITLE
    d.add_paragraph(NOTICE_TITLE)
    for p in NOTICE:
        d.add_paragraph(p)
    table = d.add_table(rows=len(ROSTER), cols=len(ROSTER[0]))
    for i, row in enumerate(ROSTER):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    path = tmp / "notice.docx"
    d.save(str(path))
    return path


def _pdf_of(docx_path: Path) -> Path:
    pdf = docx_path.with_suffix(".pdf")
    pdf.write_bytes(convert(docx_path, docx_path.read_bytes(), "pdf"))
    return pdf


NOT_REPORTS = {"txt": _notice_txt, "html": _notice_html, "docx": _notice_docx,
               "pdf": pytest.param(lambda tmp: _pdf_of(_notice_docx(tmp)), marks=needs_soffice)}


@pytest.mark.parametrize("make", list(NOT_REPORTS.values()), ids=list(NOT_REPORTS))
def test_a_file_that_is_no_report_is_an_error_in_every_format(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(errors.NotAReportError) as info:
        audit_kit.load(path)
    assert isinstance(info.value, errors.NoTablesError)  # what HTML and PDF raised before: callers still catch it
    assert str(path) in str(info.value) and "不是政府信息公开工作年度报告" in info.value.reason
    for command in ("extract", "check"):
        proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", command, str(path)],
                              capture_output=True, text=True, env=ENV, timeout=120)
        assert proc.returncode == 2, (command, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and "不是政府信息公开工作年度报告" in lines[0], proc.stderr
        assert proc.stdout == ""


def test_a_file_that_is_no_report_is_an_error_row_in_a_batch(tmp_path, seed_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "yanchi.txt").write_bytes(seed_path.read_bytes())
    _notice_html(folder)
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(folder), "-o", str(tmp_path / "out"),
                           "--store", str(tmp_path / "store")], capture_output=True, text=True, env=ENV, timeout=300)
    assert proc.returncode == 2, proc.stderr
    rows = {Path(r["file"]).name: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "out" / "reports.csv").read_text(encoding="utf-8-sig")))}
    assert rows["notice.html"]["status"] == "error"
    assert rows["notice.html"]["error_type"] == "not_a_report"
    assert "不是政府信息公开工作年度报告" in rows["notice.html"]["reason"]
    assert rows["yanchi.txt"]["status"] == "ok"


# ---- reports whose tables are gone -----------------------------------------------------------------

def _spec():
    return samples.make_report("2021", seed=7, agency="示例县审计局")


def _cut_txt(tmp: Path) -> Path:
    """A truncated copy: the dump stops where 表二 begins."""
    text = samples.to_text(_spec())
    path = tmp / "cut.txt"
    path.write_text(text[:text.index("第二十条")], encoding="utf-8")
    return path


def _tables_removed_html(tmp: Path) -> Path:
    page = samples.to_html(_spec())
    path = tmp / "no-tables.html"
    path.write_text(re.sub(r"<table.*?</table>", "", page, flags=re.S), encoding="utf-8")
    return path


def _tables_removed_docx(tmp: Path) -> Path:
    import docx

    src = samples.write(_spec(), tmp / "full.docx")
    d = docx.Document(str(src))
    for table in d.tables:
        table._element.getparent().remove(table._element)
    path = tmp / "no-tables.docx"
    d.save(str(path))
    return path


NO_TABLES = {"txt": _cut_txt, "html": _tables_removed_html, "docx": _tables_removed_docx,
             "pdf": pytest.param(lambda tmp: _pdf_of(_tables_removed_docx(tmp)), marks=needs_soffice)}


@pytest.mark.parametrize("make", list(NO_TABLES.values()), ids=list(NO_TABLES))
def test_a_report_without_its_tables_loads_and_f3_fails(tmp_path, make):
    path = make(tmp_path)
    report = audit_kit.load(path)
    assert report.cells.empty
    assert "一" in report.sections
    assert "示例县审计局" in (report.meta["title"] or "")
    res = audit_kit.check(report)
    f3 = res[res["check_id"] == "F-3"]
    assert sorted(f3["table"]) == ["t2", "t3", "t4"]
    assert set(f3["status"]) == {"fail"} and set(f3["severity"]) == {"error"}
    for message in f3["message"]:
        assert "未能找到或读取" in message
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "check", str(path)],
                          capture_output=True, text=True, env=ENV, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "[F-3]" in proc.stdout and "未能找到或读取表二" in proc.stdout


def test_a_report_with_some_tables_cut_keeps_not_assessable_for_the_rest(tmp_path):
    """Only a report with no table at all fails F-3 for a missing table; a dump cut inside 表三 still says
    not_assessable for 表四 (its input is missing, as checks.md asks)."""
    text = samples.to_text(_spec())
    path = tmp_path / "cut-in-t3.txt"
    path.write_text(text[:text.index("（三）不予公开")], encoding="utf-8")
    res = audit_kit.check(audit_kit.load(path))
    f3 = res[res["check_id"] == "F-3"].set_index("table")["status"].to_dict()
    assert f3 == {"t2": "pass", "t3": "pass", "t4": "not_assessable"}


# ---- the real corpus ---------------------------------------------------------------------------------

def test_every_corpus_report_still_loads(corpus):
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".txt", ".html", ".pdf"))
    assert len(files) == 51
    for path in files:
        audit_kit.load(path)  # a NotAReportError here would be a real report refused


@pytest.mark.parametrize("name", ["019.txt", "031.txt", "052.txt", "058.txt"])
def test_corpus_reports_with_no_readable_table_fail_f3(corpus, name):
    """Prose-only and cut-before-the-tables reports (labels: no table retrieved) are reports with an error."""
    res = audit_kit.check(audit_kit.load(corpus / name))
    f3 = res[res["check_id"] == "F-3"]
    assert list(f3["status"]) == ["fail"] * 3 and set(f3["severity"]) == {"error"}, name
