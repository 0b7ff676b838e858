"""``python -m audit_kit.cli``: the ``audit-kit`` command."""

from .app import run

run()
