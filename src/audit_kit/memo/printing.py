"""Page numbers of the printed memo.

The memo's stylesheet numbers pages with a CSS page-margin box (``@page { @bottom-center { content:
counter(page) } }``), which Chromium prints since version 131 — an auditor printing from the browser gets
"第 N 页，共 M 页" with no setting to change. Headless printing (Chromium's DevTools ``printToPDF``, e.g.
Playwright's ``page.pdf``) with ``display_header_footer`` replaces the margin boxes by its own footer:
:data:`FOOTER_TEMPLATE` is that footer, with the same words (Chromium fills ``pageNumber``/``totalPages``)."""

from __future__ import annotations

FOOTER_TEMPLATE = ("<div style='width:100%;text-align:center;font-size:9px;color:#555;"
                   "font-family:\"Noto Sans CJK SC\",sans-serif'>第 <span class='pageNumber'></span> 页，"
                   "共 <span class='totalPages'></span> 页</div>")
HEADER_TEMPLATE = "<div></div>"  # no header: the memo's title is on its first page
