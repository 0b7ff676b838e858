"""``aliases.csv`` in the workspace: the auditor's table of renamed, merged and split agencies.

Columns ``alias,canonical,note,region`` (a header in Chinese, 别名,规范名称,备注,地区, works too; a file
without a header is read by position). One line says one of:

- ``旧名称,新名称``: a renamed or merged agency — reports printing the alias are the canonical agency's;
- ``名称,独立``: the name is an agency of its own, never merged with a name that normalises the same;
- ``名称,,,地区`` (or ``名称,规范名称,,地区``): the name (or its canonical name) is read in that region —
  "鼓楼区财政局,,,福州市" splits the ambiguous name off to 福州;
- an alias may be a report id (16 hex digits) instead of a name: the line then applies to that report alone,
  which splits two agencies' reports that print the same name.

The file may be saved as UTF-8 (with or without the BOM Excel writes) or GBK/GB18030 (WPS, Chinese Excel);
a line that cannot be read raises :class:`WorkspaceError` naming the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkspaceError
from ..model.agencies import Identity, identify, normal

OWN = ("独立", "独立机关", "（独立）", "(独立)")  # the canonical value that declares a name its own agency
_REPORT_ID = re.compile(r"^[0-9a-f]{16}$")
_NAMES = {"alias": ("alias", "别名"), "canonical": ("canonical", "规范名称", "规范名"), "note": ("note", "备注", "说明"),
          "region": ("region", "地区")}


@dataclass(frozen=True)
class Rule:
    """One line of the table: what a name (or a report) is, and the line it came from."""

    alias: str
    canonical: str
    region: str
    line: int

    @property
    def own(self) -> bool:
        return self.canonical.strip() in OWN


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkspaceError(str(path), "别名表无法读取：既不是 UTF-8 也不是 GBK 编码；请在 Excel/WPS 中另存为 CSV（UTF-8）")


def read_rules(path: Path) -> list[Rule]:
    """The lines of an alias table; raises :class:`WorkspaceError` naming the first line that is wrong."""
    try:
        text = _decode(path.read_bytes(), path)
    except OSError as exc:
        raise WorkspaceError(str(path), f"别名表无法读取（{exc.strerror}）") from exc
    rows = list(csv.reader(io.StringIO(text)))
    columns = ["alias", "canonical", "note", "region"]
    start = 0
    if rows and any(cell.strip().lower() in _NAMES["alias"] for cell in rows[0]):
        found = {name: i for i, cell in enumerate(rows[0]) for name, words in _NAMES.items()
                 if cell.strip().lower() in words}
        columns = [next((n for n, i in found.items() if i == k), f"extra{k}") for k in range(len(rows[0]))]
        columns += [c for c in ("alias", "canonical", "note", "region") if c not in columns]
        start = 1
    rules = []
    for n, row in enumerate(rows[start:], start + 1):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(columns, (c.strip() for c in row), strict=False))
        alias, canonical, region = cells.get("alias", ""), cells.get("canonical", ""), cells.get("region", "")
        if not alias:
            raise WorkspaceError(str(path), f"别名表第 {n} 行没有别名（第一列）：{','.join(row)}")
        if not canonical and not region:
            raise WorkspaceError(str(path), f"别名表第 {n} 行“{alias}”既没有规范名称也没有地区：应写成“别名,规范名称”、"
                                            f"“名称,独立”或“名称,,,地区”")
        rules.append(Rule(alias, canonical, region, n))
    return rules


class Aliases:
    """``aliases.csv`` in the store (created with its header when missing)."""

    HEADER = ("alias", "canonical", "note", "region")

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        if not path.exists() and create:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerow(self.HEADER)
        self.rules = read_rules(path) if path.exists() else []
        self._index()

    def _index(self) -> None:
        self.by_report = {r.alias.lower(): r for r in self.rules if _REPORT_ID.match(r.alias.lower())}
        self.by_name: dict[str, Rule] = {}
        for r in self.rules:
            if r.alias.lower() not in self.by_report:
                self.by_name[normal(r.alias)] = r
                found = identify(r.alias, r.region)
                if found.key is not None and not r.own:
                    self.by_name.setdefault(found.key, r)

    def identity(self, name: str | None, report_id: str = "", region: str = "",
                 text: str | Callable[[], str] = "") -> Identity:
        """The identity of a report's agency after the table: a line for the report, else for its name (as
        printed or as identified), else the name's own identity (``region`` declared, ``text`` its own)."""
        rule = self.by_report.get((report_id or "").lower())
        if rule is None and name:
            rule = self.by_name.get(normal(name))
            if rule is None:
                found = identify(name, region, text)
                rule = self.by_name.get(found.key) if found.key is not None else None
                if rule is None:
                    return found
        if rule is None:
            return identify(name, region, text)
        where = f"别名表第 {rule.line} 行"
        if rule.own:
            return Identity(f"={normal(name or rule.alias)}", f"{where}：“{name}”为独立机关")
        target = rule.canonical or name or rule.alias
        found = identify(target, rule.region or region, "" if rule.region else text)
        if found.key is None:
            return Identity(None, f"{where}：“{target}”{found.how}", candidates=found.candidates,
                            ambiguous=found.ambiguous)
        said = f"记为“{rule.canonical}”" if rule.canonical else ""
        said += f"{'，' if said else ''}地区为“{rule.region}”" if rule.region else ""
        return Identity(found.key, f"{where}：“{name or rule.alias}”{said}", found.division)

    def resolve(self, name: str | None, report_id: str = "", region: str = "",
                text: str | Callable[[], str] = "") -> tuple[str | None, str]:
        """(identity key, how it was found) for an agency name."""
        found = self.identity(name, report_id, region, text)
        return found.key, found.how

    def add(self, alias: str, canonical: str, note: str = "", region: str = "") -> None:
        """Append a line; a file saved as GBK or with a BOM is written back as UTF-8 with the line added."""
        text = _decode(self.path.read_bytes(), self.path) if self.path.exists() else ""
        line = io.StringIO()
        csv.writer(line).writerow((alias, canonical, note, region))
        if text and not text.endswith(("\n", "\r")):
            text += "\r\n"
        self.path.write_text(text + line.getvalue(), encoding="utf-8", newline="")
        self.rules = read_rules(self.path)
        self._index()
