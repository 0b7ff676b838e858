"""Decoding bytes of Chinese web pages and text dumps: UTF-8 when it decodes, else GB18030 (a superset of
GB2312 and GBK, so a page declared GB2312 but written in GBK loses no character)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import CorruptFileError


def decode(path: Path, data: bytes) -> str:
    """Decode ``data`` or raise :class:`CorruptFileError` when it is binary rather than text."""
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError as exc:  # an odd byte count (a cut copy) or a broken surrogate pair
                raise CorruptFileError(str(path), f"UTF-16 文本已损坏（第 {exc.start} 字节起无法解码"
                                                  f"{'，字节数为奇数，文件可能不完整' if len(data) % 2 else ''}）") from exc
        raise CorruptFileError(str(path), "文件是二进制数据，不是文本或网页")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise CorruptFileError(str(path), "无法按 UTF-8 或 GB18030 解码：不是文本文件")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    return len(_CONTROL.findall(sample)) > len(sample) * 0.05
