"""The memo's export: headings nbconvert writes as numeric references come out as letters; nothing that
means something to HTML is turned back from a reference."""

from __future__ import annotations

import pytest

from audit_kit.memo.exporter import characters


@pytest.mark.parametrize(("html", "want"), [
    ("<h2>&#32467;&#35770;</h2>", "<h2>结论</h2>"),
    ("&#182; &#65288;", "¶ （"),
    ("&#60;script&#62; &#38; &#34; &#39;", "&#60;script&#62; &#38; &#34; &#39;"),  # markup stays escaped
    ("&#133; &#55296; &#1114112;", "&#133; &#55296; &#1114112;"),  # C1 control, surrogate, past Unicode
    ("&amp;#32467;", "&amp;#32467;"),  # an escaped reference is text, not a reference
])
def test_numeric_references_of_letters_become_letters(html, want):
    assert characters(html) == want


def test_the_memo_exporter_is_nbconvert_html_export_less_its_last_pass():
    """MemoExporter relies on nbconvert's private ``_init_resources`` and ``_nb_metadata`` (pinned in
    pyproject.toml): it must give the page nbconvert's own HTML exporter gives with the same template, less
    the attributes of the BeautifulSoup pass it skips (tab stops, English alt texts)."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from audit_kit.memo.exporter import TEMPLATES, _memo_exporter, characters

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## 结论\n\n表三“总计”列"),
                nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output(
                    "display_data", {"text/html": "<b>予以公开 12</b>", "text/plain": "x"})])]
    options = {"extra_template_basedirs": [str(TEMPLATES)], "template_name": "memo"}
    resources = {"memo_title": "标题", "memo_css": "", "memo_footer": ""}
    ours, _ = _memo_exporter()(**options).from_notebook_node(nb, resources=dict(resources))
    stock_exporter = HTMLExporter(**options)
    stock_exporter.register_filter("characters", characters)
    stock, _ = stock_exporter.from_notebook_node(nb, resources=dict(resources))
    soup = BeautifulSoup(stock, "html.parser")
    for tag in soup.select("[tabindex]"):
        del tag["tabindex"]
    assert "予以公开 12" in ours and "结论" in ours
    assert BeautifulSoup(ours, "html.parser").get_text() == soup.get_text()
