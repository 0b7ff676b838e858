"""The six sections of a report: finding their headings (with the variants real reports print) and
the text under each."""

from __future__ import annotations

from ..model.document import Document
from ..model.headings import SECTION_NUMBERS, heading_number


def split_sections(doc: Document) -> dict[str, dict[str, str]]:
    """Map "一".."六" to {"heading", "text", "source"}; sections are taken in order, each once."""
    out: dict[str, dict[str, str]] = {}
    current: str | None = None
    body: list[str] = []
    order = {n: i for i, n in enumerate(SECTION_NUMBERS)}
    for line, source in doc.lines():
        num = heading_number(line) if len(line) <= 60 else None
        if num and num not in out and (current is None or order[num] > order[current]):
            if current:
                out[current]["text"] = "\n".join(body).strip()
            current, body = num, []
            out[num] = {"heading": line.strip(), "text": "", "source": source}
            continue
        if current:
            body.append(line)
    if current:
        out[current]["text"] = "\n".join(body).strip()
    return out
