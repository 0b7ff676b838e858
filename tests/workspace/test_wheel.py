"""The package carries what it needs. A wheel is built, installed into a fresh virtual environment
outside the repository (reusing the installed dependencies, never the repository's ``src``), and writes a
memo of its bundled seed from there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_a_wheel_installed_outside_the_repository_writes_a_memo(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT),
                    "-w", str(wheels)], check=True, capture_output=True, timeout=600, cwd=tmp_path)
    wheel = next(wheels.glob("audit_kit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("audit_kit/notebooks/audit_report.ipynb", "audit_kit/notebooks/audit_batch.ipynb",
                 "audit_kit/data/seed/yanchi-2020.txt", "audit_kit/memo/nbconvert/memo/index.html.j2"):
        assert part in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "AUDIT_KIT_WORKSPACE")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # nbconvert's base templates, with the deps
    # the dependencies come from the environment the tests run in (its site-packages, not the repository)
    site = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True,
                         capture_output=True, text=True, env=env).stdout.strip()) / "deps.pth").write_text(site + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--force-reinstall", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=600, env=env)

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import audit_kit; print(audit_kit.__file__)"], check=True,
                           capture_output=True, text=True, env=env, cwd=work).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(ROOT)  # the installed copy, not src/
    seed = subprocess.run([str(python), "-c", "from audit_kit import bundled; print(bundled.seed())"], check=True,
                          capture_output=True, text=True, env=env, cwd=work).stdout.strip()
    proc = subprocess.run([str(venv / "bin" / "audit-kit"), "memo", seed, "-o", "memo.html"], capture_output=True,
                          text=True, env=env, cwd=work, timeout=600)
    assert proc.returncode == 0, proc.stderr
    html = (work / "memo.html").read_text(encoding="utf-8")
    assert "盐池县机关事务服务中心 2020 年度政府信息公开工作年度报告 审核意见书" in html
    assert "不通过的发现 3 条" in html
    assert f"<th class='ak-nowrap'>工作区</th><td class='ak-wrap'>{work / 'audit-store'}</td>" in html  # found from where it ran
