"""Keep nbformat's import fast.

nbformat imports ``jsonschema``, whose format checker imports ``rfc3987_syntax`` when it is installed
(jupyter-events pulls it in); that module builds a Lark grammar at import time — about 1.2 s, more than
half of a memo's own work. The notebooks audit-kit validates never use the ``iri`` formats it checks,
so the module is marked absent here before nbformat is imported: jsonschema then skips those two
format checks, and every other validation stays as it was."""

from __future__ import annotations

import sys

if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import → ImportError → format not checked
