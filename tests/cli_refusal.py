"""What the trust tests of the command line share: an input refused with one clear line."""

from __future__ import annotations

import subprocess


def one_line(proc: subprocess.CompletedProcess, path: object, *words: str) -> None:
    """Exit 2, one line on stderr that names ``path`` and holds ``words``, no traceback, no 内部错误."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"audit-kit: {path}: "), lines[0]
    for w in words:
        assert w in lines[0], lines[0]
