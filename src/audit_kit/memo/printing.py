"""Page numbers of the printed memo.

The memo's stylesheet numbers pages with a CSS page-margin box (``@page { @bottom-center { content:
counter(page) } }``), which Chromium prints since version 131 — an auditor printing from the browser gets
"第 N 页，共 M 页" with no setting to change. Headless printing (Chromium's DevTools ``printToPDF``, e.g.
Playwright's ``page.pdf``) with ``display_header_footer`` replaces the margin boxes by its own footer:
:data:`FOOTER_TEMPLATE` (``render_templates/print_footer.html.j2``) is that footer, with the same words
(Chromium fills ``pageNumber``/``totalPages``)."""

from __future__ import annotations

from ..render.html import render

FOOTER_TEMPLATE = str(render("print_footer"))  # the words of the CSS margin box, as Chromium's footer
HEADER_TEMPLATE = str(render("print_header"))  # no header: the memo's title is on its first page
