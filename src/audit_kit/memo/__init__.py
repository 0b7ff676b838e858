"""The 审核意见书 (the memo an auditor signs): audit_report.ipynb run on a stored report with the parameters
papermill injects, on kernels kept up across memos (:mod:`.kernels`), exported through the project's own
nbconvert template (:mod:`.exporter`). The notebook is handed a report of the workspace by its id, never a
file: the report is read and checked once, and the kernel takes both from the workspace."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .exporter import export, prepare
    from .kernels import Job, Lanes, Outcome
    from .write import write_index, write_memo, write_memos

# Imported on first use: ``audit-kit memo`` starts its kernel before the workspace and nbformat are imported.
_LAZY = {"export": "exporter", "prepare": "exporter", "Job": "kernels", "Lanes": "kernels", "Outcome": "kernels",
         "write_index": "write", "write_memo": "write", "write_memos": "write"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'audit_kit.memo' has no attribute {name!r}")


__all__ = ["Job", "Lanes", "Outcome", "export", "prepare", "write_index", "write_memo", "write_memos"]
