"""``make lab`` serves JupyterLab in Chinese: the zh-CN language pack is installed and the settings
overrides the Makefile points to make zh_CN the default language."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT

TOKEN = "audit-kit-zh-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_settings_flag() -> str:
    """The flag ``make lab`` passes (read from the Makefile, with $(CURDIR) as the project folder)."""
    m = re.search(r"^LAB_SETTINGS := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert m, "Makefile: LAB_SETTINGS"
    return m.group(1).replace("$(CURDIR)", str(ROOT))


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read().decode("utf-8"))


def test_lab_serves_zh_cn(tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings")}
    lab = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
                            f"--port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}",
                            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                            _lab_settings_flag()],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        packs = _get(f"{base}/lab/api/translations?token={TOKEN}")
        assert "zh_CN" in packs["data"]  # the language pack is installed
        zh = _get(f"{base}/lab/api/translations/zh_CN?token={TOKEN}")
        assert zh["data"] and "新建" in json.dumps(zh["data"], ensure_ascii=False)
        plugin = _get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={TOKEN}")
        assert plugin["schema"]["properties"]["locale"]["default"] == "zh_CN"  # what the Makefile sets
    finally:
        lab.terminate()
        lab.wait(timeout=30)
