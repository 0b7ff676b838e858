"""One outcome of a check at one place: what each check function yields and the registry turns into rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vocabulary import Status


@dataclass
class Result:
    status: Status
    message: str
    table: str | None = None
    row: str | None = None
    col: str | None = None
    expected: float | str | None = None
    actual: float | str | None = None
    evidence: list[dict] = field(default_factory=list)
    where: str = ""  # an extra location part for the fingerprint (a sentence, a section)
