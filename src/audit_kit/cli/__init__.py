"""The ``audit-kit`` command line: its parser (:mod:`.parser`), its commands (:mod:`.commands`) and the entry
point (:mod:`.app`)."""

from .app import main, run

__all__ = ["main", "run"]
