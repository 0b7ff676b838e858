"""Bad input raises its own AuditKitError subclass naming the file; the CLI prints one line, exits 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

import audit_kit
from audit_kit import errors


def _cases(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    corrupt = tmp_path / "corrupt.docx"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip file" * 10)
    notables = tmp_path / "nav.html"
    notables.write_text("<html><body><p>首页 新闻 联系我们</p></body></html>", encoding="utf-8")
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    unsupported = tmp_path / "report.xlsx"
    unsupported.write_bytes(b"whatever")
    return [
        (empty, errors.EmptyFileError, "为空"),
        (binary, errors.CorruptFileError, "二进制"),
        (corrupt, errors.CorruptFileError, ".docx"),
        (notables, errors.NoTablesError, "没有表格"),
        (big, errors.FileTooLargeError, "过大"),
        (tmp_path / "missing.txt", errors.FileMissingError, "不存在"),
        (unsupported, errors.UnsupportedFormatError, ".xlsx"),
    ]


def test_each_bad_input_has_its_own_error(tmp_path):
    for path, exc_type, words in _cases(tmp_path):
        with pytest.raises(exc_type) as info:
            audit_kit.load(path)
        assert isinstance(info.value, audit_kit.AuditKitError)
        assert str(path) in str(info.value)
        assert words in info.value.reason


def test_cli_prints_one_line_and_exits_2(tmp_path):
    for path, _exc, words in _cases(tmp_path):
        proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "extract", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in proc.stderr
        assert str(path) in lines[0] and words in lines[0]
        assert proc.stdout == ""


def test_cli_extract_json_and_csv(seed_path):
    import json

    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "extract", str(seed_path), "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["meta"]["agency"] == "盐池县机关事务服务中心"
    assert data["meta"]["period"] == ["2020-01-01", "2020-12-31"]
    assert len(data["cells"]) == 200
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "extract", str(seed_path)],
                          capture_output=True, text=True, timeout=60)
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "report_id,table,row,col,value,raw,status,unit,source,how"
    assert len(lines) == 201
