"""The memo's HTML: an executed notebook exported through the project's own nbconvert template (no code, no
prompts, CSS inline, images embedded, a print stylesheet)."""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbconvert import HTMLExporter


TEMPLATES = Path(str(resources.files("audit_kit.memo").joinpath("nbconvert")))

_idle: queue.SimpleQueue[HTMLExporter] = queue.SimpleQueue()  # exporters built and free: one per thread at a time


@contextmanager
def _exporter() -> Iterator[HTMLExporter]:
    """An exporter no other thread is using — built once and reused (building one costs ~0.3 s)."""
    try:
        exporter = _idle.get_nowait()
    except queue.Empty:
        exporter = _memo_exporter()(extra_template_basedirs=[str(TEMPLATES)], template_name="memo")
    try:
        yield exporter
    finally:
        _idle.put(exporter)


_REFERENCE = re.compile(r"&#(\d{3,7});")


def characters(html: str) -> str:
    """Numeric character references of letters written as the letters (nbconvert's markdown headings come out
    as ``&#32467;&#35770;``). Only code points past Latin-1's controls: none of them means anything to HTML."""
    def letter(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return chr(n) if 0xA0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else m.group(0)

    return _REFERENCE.sub(letter, html)


@cache
def _memo_exporter() -> type[HTMLExporter]:
    """nbconvert's HTML exporter without its last pass, which parses the whole page again with BeautifulSoup
    only to give JupyterLab's markup tab stops and images an English alt text: the memo template has none of
    that markup and its own Chinese alt texts, and the pass took half of each memo's export."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class MemoExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("characters", characters)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return MemoExporter


@cache
def _css() -> str:
    return resources.files("audit_kit.memo").joinpath("memo.css").read_text(encoding="utf-8")


def prepare() -> None:
    """What every memo needs in this process, made once while the kernel starts: papermill and an exporter
    whose templates are compiled (an empty notebook exported) — about 1.5 s of imports and compiling."""
    import nbformat
    import papermill.parameterize  # noqa: F401

    export(nbformat.v4.new_notebook())


def export(notebook: dict | str | Path, title: str = "审核意见书") -> str:
    """An executed notebook (object or path) as the memo's HTML."""
    import nbformat

    from ..bundled import __version__

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(str(notebook), as_version=4)
    with _exporter() as exporter:
        body, _ = exporter.from_notebook_node(nb, resources={
            "memo_title": title, "memo_css": _css(), "memo_footer": f"由 audit-kit {__version__} 生成。"})
    return body
