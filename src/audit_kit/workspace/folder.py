"""The audit workspace on disk: one folder that holds everything an audit keeps — the stored reports and their
cells, the check results of each stored report, the ledger of decisions and the auditor's settings.

The CLI, both notebooks and the memo find it by one rule (:func:`locate`), whatever the current folder
(JupyterLab starts in ``notebooks/``, the CLI usually in the project folder):

1. the folder given (``--store``, the notebooks' ``store`` parameter);
2. else the folder named by the environment variable ``AUDIT_KIT_WORKSPACE``;
3. else the nearest ``audit-store/`` workspace in the current folder or one of its parents up to the project
   folder (the nearest one holding ``.git`` or ``pyproject.toml``) — never above it, so a workspace lying
   somewhere above a project is never taken; outside any project only the current folder is looked in;
4. else a new ``audit-store/`` in the project folder (or the current folder outside any project), created
   by the commands that store something (``batch``, ``memo``, ``export``/``import``, the notebooks) — never
   by ``check``, ``extract`` or ``show``.

Layout::

    audit-store/
      workspace.json      marks the folder as a workspace (format version, created)
      settings.json       the auditor's settings: 审核人, 复核人
      index.sqlite        stored reports (reports.py)
      cells/ …            their cells as Parquet (reports.py)
      results.sqlite      their check results (results.py)
      ledger.sqlite       the decisions (ledger.py: hash-chained, append-only)
      aliases.csv         the auditor's agency aliases (aliases.py)
      ocr-cache/          OCR results by file hash (readers/ocr/cache.py)
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkspaceError

DIRNAME = "audit-store"
MARKER = "workspace.json"
LEDGER = "ledger.sqlite"
ENV = "AUDIT_KIT_WORKSPACE"
FORMAT = 1
_PROJECT_MARKERS = (".git", "pyproject.toml")


def is_workspace(folder: Path) -> bool:
    """Whether ``folder`` is a workspace (marked, or a report store written before workspaces had a marker)."""
    return (folder / MARKER).is_file() or (folder / "index.sqlite").is_file()


def project_of(folder: Path) -> Path | None:
    """The nearest folder from ``folder`` up that is a project folder (holds ``.git`` or ``pyproject.toml``)."""
    return next((f for f in (folder, *folder.parents) if any((f / m).exists() for m in _PROJECT_MARKERS)), None)


def locate(explicit: str | Path | None = None, start: str | Path | None = None) -> Path:
    """The workspace folder by the rule of the module docstring (it may not exist yet). The search for an
    existing ``audit-store/`` goes up from ``start`` (the current folder) to the project folder and no
    further, as git stops at a repository's root; outside any project only the current folder counts."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser().resolve()
    here = Path(start or Path.cwd()).resolve()
    top = project_of(here) or here
    for folder in (here, *here.parents):
        if is_workspace(folder / DIRNAME):
            return folder / DIRNAME
        if folder == top:
            break
    return top / DIRNAME


@dataclass
class Settings:
    """What an auditor sets once per workspace and every memo and walker reuses."""

    auditor: str = ""
    reviewer: str = ""
    region: str = ""  # the workspace's declared region (南京市): reads names such as 鼓楼区财政局 (``--region``)


def declared_region(root: Path) -> str:
    """The region ``root/settings.json`` declares ("" when none, or when the file cannot be read)."""
    try:
        data = json.loads((root / "settings.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return ""
    value = data.get("region") if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) else ""


def read_settings(path: Path) -> Settings:
    """The settings in ``path`` (defaults when there is none). Saved as UTF-8, UTF-8 with a BOM or GBK (what
    Notepad, Excel and WPS write) it is read; a file that is not a JSON object raises
    :class:`WorkspaceError` naming the line that is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise WorkspaceError(str(path), f"无法读取审核人设置（{exc.strerror}）") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise WorkspaceError(str(path), f"第 {line} 行：既不是 UTF-8 也不是 GBK 编码的文字；请另存为 UTF-8") from exc
    if not text.strip():
        return Settings()
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkspaceError(str(path), f"第 {exc.lineno} 行第 {exc.colno} 列：不是有效的 JSON（{exc.msg}）；"
                             '应为 {"auditor": "姓名", "reviewer": "姓名"}') from exc
    if not isinstance(parsed, dict):
        raise WorkspaceError(str(path), f"第 1 行：内容是 {type(parsed).__name__}，不是 JSON 对象；"
                             '应为 {"auditor": "姓名", "reviewer": "姓名"}')
    known = Settings.__dataclass_fields__
    return Settings(**{k: "" if v is None else str(v) for k, v in parsed.items() if k in known})


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically: a temporary file in the same folder, flushed, then renamed over the old one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ledger_path(root: Path, ledger: str | Path | None = None) -> Path:
    """The ledger of the workspace ``root``: its ``ledger.sqlite`` unless another file is named."""
    return Path(ledger).expanduser().absolute() if ledger else root / LEDGER
