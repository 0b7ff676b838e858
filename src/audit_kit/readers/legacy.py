"""Legacy Word files (.doc, .wps): converted to .docx by LibreOffice (headless, a private profile per call
so parallel batches never share one, a timeout), then read by the .docx reader."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..config import CONVERSION_TIMEOUT_S, Config
from ..errors import ConversionError, CorruptFileError
from ..model.document import Document
from .docx import read_docx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 and WPS files are OLE compound files
INSTALL_HINT = "读取 .doc/.wps 需要 LibreOffice：以 root 运行 apt-get install libreoffice-writer-nogui（make test 会自动安装）"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, data: bytes, target: str = "docx", timeout: float = CONVERSION_TIMEOUT_S) -> bytes:
    """Convert ``data`` (the bytes of ``path``) with LibreOffice to ``target`` and return the result."""
    exe = soffice()
    if exe is None:
        raise ConversionError(str(path), INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="audit-kit-lo-") as tmp:
        work = Path(tmp)
        src = work / f"input{path.suffix.lower()}"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--convert-to", target, "--outdir", str(work / "out"), str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(str(path), f"LibreOffice 转换超时（{timeout:g} 秒）") from exc
        out = work / "out" / f"input.{target.split(':')[0]}"
        if not out.exists() or out.stat().st_size == 0:
            raise ConversionError(str(path), "LibreOffice 无法转换此文件（文件可能已损坏）")
        return out.read_bytes()


def read_legacy(path: Path, data: bytes, config: Config) -> Document:
    if not data.startswith(OLE_MAGIC):
        raise CorruptFileError(str(path), f"不是有效的 {path.suffix} 文件（缺少 Word 97–2003 文件头，可能已损坏）")
    doc = read_docx(path, convert(path, data, "docx", config.conversion_timeout), config)
    doc.reader = path.suffix.lower().lstrip(".")
    return doc
