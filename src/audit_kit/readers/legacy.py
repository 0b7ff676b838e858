"""Legacy Word files (.doc, .wps): converted to .docx by LibreOffice (headless, a private profile per call
so parallel batches never share one, a timeout), then read by the .docx reader.

The file is hostile and LibreOffice is a whole office suite, so the conversion is fenced in:

- **offline**: it runs in a network namespace of its own (``unshare --net``: as root, or as a user where
  user namespaces are allowed), which has no interface but a loopback that is down — a linked image
  (``INCLUDEPICTURE "http://…"``) cannot reach any host, the machine's own included. Where no namespace
  can be made, the profile's settings still keep it offline (and they apply inside the namespace too):
  links are never updated on load, links from untrusted documents are blocked, and every HTTP(S) and FTP
  request goes to a proxy that does not exist (port 0 of 127.0.0.1);
- **no orphans**: LibreOffice starts in a session (process group) of its own, and the whole group is
  killed when the conversion ends, times out or fails — the ``soffice.bin`` behind the wrapper script too.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ..config import CONVERSION_TIMEOUT_S, Config
from ..errors import ConversionError, CorruptFileError
from ..model.document import Document
from .docx import read_docx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 and WPS files are OLE compound files
INSTALL_HINT = "读取 .doc/.wps 需要 LibreOffice：以 root 运行 apt-get install libreoffice-writer-nogui（make test 会自动安装）"
# The profile's settings (registrymodifications.xcu): (path, property, type, value).
OFFLINE_SETTINGS = [
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "int", "2"),  # never update links on load
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "int", "2"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "int", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "boolean", "true"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "int", "2"),  # a manual proxy (0 none, 1 the system's) …
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", "string", ""),  # … for every host …
    *[("/org.openoffice.Inet/Settings", f"ooInet{kind}Proxy{part}", t, v)  # … that is not there
      for kind in ("HTTP", "HTTPS", "FTP") for part, t, v in (("Name", "string", "127.0.0.1"), ("Port", "int", "0"))],
]
_GONE_AFTER_KILL_S = 5.0  # how long the group's processes may take to go after SIGKILL


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def offline_prefix() -> tuple[str, ...]:
    """The command that runs a program in a network namespace of its own, or () where none can be made
    (no ``unshare``, or neither root nor user namespaces): then the profile's settings alone keep
    LibreOffice offline."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net", "--"), (unshare, "--user", "--map-root-user", "--net", "--")):
        try:
            done = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return prefix
    return ()


def _profile(folder: Path) -> Path:
    """A fresh LibreOffice profile in ``folder`` with :data:`OFFLINE_SETTINGS`; returns the folder."""
    from xml.sax.saxutils import escape, quoteattr

    items = "".join(f'<item oor:path={quoteattr(p)}><prop oor:name={quoteattr(name)} oor:op="fuse">'
                    f'<value>{escape(value)}</value></prop></item>' for p, name, _type, value in OFFLINE_SETTINGS)
    user = folder / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{items}</oor:items>\n", encoding="utf-8")
    return folder


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the conversion's whole process group (the wrapper, oosplash, soffice.bin) and wait until its
    processes are gone (or :data:`_GONE_AFTER_KILL_S` passed)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=_GONE_AFTER_KILL_S)
    end = time.monotonic() + _GONE_AFTER_KILL_S
    while time.monotonic() < end and _alive_in_group(proc.pid):
        time.sleep(0.02)


def _alive_in_group(pgid: int) -> bool:
    """Whether a process of the group ``pgid`` still runs (zombies, already dead, do not count)."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return False
    for name in names:
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def convert(path: Path, data: bytes, target: str = "docx", timeout: float = CONVERSION_TIMEOUT_S) -> bytes:
    """Convert ``data`` (the bytes of ``path``) with LibreOffice to ``target`` and return the result —
    offline, and with no process of it left behind (see the module's notes)."""
    exe = soffice()
    if exe is None:
        raise ConversionError(str(path), INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="audit-kit-lo-") as tmp:
        work = Path(tmp)
        src = work / f"input{path.suffix.lower()}"
        src.write_bytes(data)
        profile = _profile(work / "profile")
        cmd = [*offline_prefix(), exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nologo", "--nolockcheck", "--convert-to", target, "--outdir", str(work / "out"), str(src)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise ConversionError(str(path), f"无法启动 LibreOffice（{exc.strerror or exc}）") from exc
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(str(path), f"LibreOffice 转换超时（{timeout:g} 秒）") from exc
        finally:
            _kill_group(proc)  # on time, late or interrupted: nothing of it outlives the conversion
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
