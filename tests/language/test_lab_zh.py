"""``make lab`` serves JupyterLab in Chinese: the zh-CN language pack is installed and the settings
overrides the Makefile points to make zh_CN the default language."""

from __future__ import annotations

import json
import re
import shlex
import urllib.request
from pathlib import Path

from tests.browser import TOKEN, jupyter_lab
from tests.conftest import ROOT


def _lab_settings_flags() -> list[str]:
    """The flags ``make lab`` passes (read from the Makefile, with $(CURDIR) as the project folder)."""
    m = re.search(r"^LAB_SETTINGS := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert m, "Makefile: LAB_SETTINGS"
    return shlex.split(m.group(1).replace("$(CURDIR)", str(ROOT)))


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read().decode("utf-8"))


def test_lab_serves_zh_cn(tmp_path: Path):
    with jupyter_lab(tmp_path, tmp_path, *_lab_settings_flags(),
                     env={"JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings")}) as base:
        packs = _get(f"{base}/lab/api/translations?token={TOKEN}")
        assert "zh_CN" in packs["data"]  # the language pack is installed
        zh = _get(f"{base}/lab/api/translations/zh_CN?token={TOKEN}")
        assert zh["data"] and "新建" in json.dumps(zh["data"], ensure_ascii=False)
        plugin = _get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={TOKEN}")
        assert plugin["schema"]["properties"]["locale"]["default"] == "zh_CN"  # what the Makefile sets
