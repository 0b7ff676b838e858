import math

import pytest

from audit_kit.model.numbers import parse_cell


@pytest.mark.parametrize(("raw", "value", "status", "unit"), [
    ("0", 0, "number", ""), (" 1288", 1288, "number", ""), ("3,119", 3119, "number", ""),
    ("+19", 19, "number", ""), ("-3", -3, "number", ""), ("减4", -4, "number", ""), ("增2", 2, "number", ""),
    ("251000元", 251000, "number", "元"), ("26.55", 26.55, "number", ""), ("477.35万元", 477.35, "number", "万元"),
    ("? 0", 0, "number", ""), ("０", 0, "number", ""), ("+(0) -(0)", 0, "number", ""), ("+(3) -(1)", 2, "number", ""),
    ("/", math.nan, "text", ""), ("—", math.nan, "text", ""), ("无", math.nan, "text", ""),
    ("", math.nan, "blank", ""), ("\xa0", math.nan, "blank", ""), ("约5", math.nan, "text", ""),
])
def test_parse_cell(raw, value, status, unit):
    got = parse_cell(raw)
    assert got.status == status
    assert got.unit == unit
    if math.isnan(value):
        assert math.isnan(got.value)
    else:
        assert got.value == value


def test_whole_paragraphs_do_not_fill_the_label_caches():
    """A batch worker keys every report's whole text once; cached, 10,000 texts of 20 KB would stay in memory."""
    import uuid

    from audit_kit.model.text import key

    before = key.cache_info().currsize
    paragraph = "本机关全年共收到政府信息公开申请" * 20 + uuid.uuid4().hex
    assert key(paragraph).startswith("本机关全年共收到政府信息公开申请")
    assert key.cache_info().currsize == before
    assert key("（一）予以公开" + uuid.uuid4().hex[:6]).startswith("(一)予以公开")
    assert key.cache_info().currsize == before + 1
