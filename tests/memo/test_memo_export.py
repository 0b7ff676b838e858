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
