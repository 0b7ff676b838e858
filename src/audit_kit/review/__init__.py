"""What the auditor works with in JupyterLab: one report's view and a batch's (:mod:`.report_view`,
:mod:`.batch_view`), the finding walker (:mod:`.walker`), the source beside a finding, the tables, charts and
trend, and the Excel round trip."""
