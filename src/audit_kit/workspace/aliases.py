"""``aliases.csv`` in the workspace: the auditor's table of renamed or merged agencies."""

from __future__ import annotations

import csv
from pathlib import Path

from ..model.agencies import agency_key
from ..model.text import key


class Aliases:
    """``aliases.csv`` in the store: ``alias,canonical`` lines for renamed or merged agencies."""

    HEADER = ("alias", "canonical", "note")

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerow(self.HEADER)
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        self.map = {agency_key(r["alias"]): agency_key(r["canonical"]) for r in rows if r.get("alias")}

    def resolve(self, name: str | None) -> tuple[str | None, str]:
        """(identity key, how it was found) for an agency name."""
        if not name:
            return None, "机关名称未识别"
        k = agency_key(name)
        if k in self.map:
            return self.map[k], f"别名表：“{name}”记为“{self.map[k]}”"
        how = "名称相同" if k == key(name) else f"名称归一为“{k}”"
        return k, how

    def add(self, alias: str, canonical: str, note: str = "") -> None:
        with self.path.open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow((alias, canonical, note))
        self.map[agency_key(alias)] = agency_key(canonical)
