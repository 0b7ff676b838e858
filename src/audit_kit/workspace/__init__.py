"""The audit workspace: one folder with the stored reports (:mod:`.reports`), their check results
(:mod:`.results`), the ledger of decisions (:mod:`.ledger`), the aliases and the auditor's settings —
opened through one object, :class:`Workspace`."""

from .access import Audit, Workspace
from .folder import locate

__all__ = ["Audit", "Workspace", "locate"]
