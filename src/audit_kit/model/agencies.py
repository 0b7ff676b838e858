"""Agency identity across years: a normalised name, plus an alias table the auditor can edit.

"吴忠市盐池县财政局" and "盐池县财政局" are the same agency; so are "XX县人民政府" and "XX县政府", full- and
half-width forms, traditional and simplified characters, and names with bracketed notes.
"""

from __future__ import annotations

import re

from .text import key, short_cache

_REGION = re.compile(r"^(.{2,9}?(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|州|盟|地区|县|区|旗))")
_NOT_REGION = re.compile(r"[和与及局委厅办会处所院队站]|城乡|市场")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\]]*\]|【[^】]*】")


@short_cache
def agency_key(name: str) -> str:
    """The identity of an agency name: the innermost region it names plus the body of the name.

    >>> agency_key("吴忠市盐池县财政局") == agency_key("盐池县财政局")
    True
    """
    k = _BRACKETS.sub("", key(name)).replace("人民政府", "政府")
    regions = []
    while True:
        m = _REGION.match(k)
        if not m or _NOT_REGION.search(m.group(1)) or len(k) == len(m.group(1)):
            break
        regions.append(m.group(1))
        k = k[len(m.group(1)):]
    return (regions[-1] if regions else "") + k
