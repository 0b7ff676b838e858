"""The fingerprint of the check code: stored results are reused only while the code that computed them is
unchanged. It hashes the checks and everything their results depend on besides the report — the narrative
parser, numbers, text keys, the agency identity (fingerprints), the form's headings and the forms as data."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
SOURCES = ("checks/*.py", "extract/claims.py", "model/numbers.py", "model/text.py", "model/agencies.py", "model/divisions.py",
           "model/headings.py", "model/forms.py", "data/*.csv")


def sources() -> list[Path]:
    """The files hashed, in a fixed order."""
    return [path for pattern in SOURCES for path in sorted(PACKAGE.glob(pattern))]


@functools.cache
def checks_fingerprint() -> str:
    """A hash of the source of the checks (and what they read)."""
    digest = hashlib.sha256()
    for path in sources():
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
