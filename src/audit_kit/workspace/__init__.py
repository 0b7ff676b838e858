"""The audit workspace: one folder with the stored reports (:mod:`.reports`), their check results
(:mod:`.results`), the ledger of decisions (:mod:`.ledger`), the aliases and the auditor's settings —
opened through one object, :class:`Workspace`."""

from .folder import Workspace, locate

__all__ = ["Workspace", "locate"]
