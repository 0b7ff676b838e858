"""The 审核意见书 (the memo an auditor signs): audit_report.ipynb run on a stored report with the parameters
papermill injects, on kernels kept up across memos (:mod:`.kernels`), exported through the project's own
nbconvert template (:mod:`.exporter`). The notebook is handed a report of the workspace by its id, never a
file: the report is read and checked once, and the kernel takes both from the workspace."""

from .exporter import export, prepare
from .kernels import Job, Lanes, Outcome
from .write import write_index, write_memo, write_memos

__all__ = ["Job", "Lanes", "Outcome", "export", "prepare", "write_index", "write_memo", "write_memos"]
