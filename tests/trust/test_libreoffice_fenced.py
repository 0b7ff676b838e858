"""LibreOffice, which converts .doc/.wps files, is fenced in: it never reaches the network — a .doc linking an
image on a local HTTP server gets nothing fetched from it, in a network namespace of its own and, where
none can be made, through the profile's settings alone — and no process of it outlives a conversion that
timed out. The hostile files are made here, by LibreOffice itself with the network allowed (the setup only)."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import audit_kit
from audit_kit import errors
from audit_kit.readers import legacy
from audit_kit.testing import samples

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (make test installs it as root)")


class Recorder(http.server.ThreadingHTTPServer):
    """A web server on 127.0.0.1 that answers every request with a small PNG and keeps what it was asked."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        png = _png()

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.server.requests.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(png)

            do_GET = do_HEAD = do_OPTIONS = do_PROPFIND = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def server() -> Iterator[Recorder]:
    srv = Recorder()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _soffice(args: list[str], folder: Path, timeout: float = 180) -> None:
    """LibreOffice run plainly (networking allowed): the test's own setup, not the code under test."""
    profile = (folder / "setup-profile").as_uri()
    subprocess.run([str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--norestore", *args],
                   capture_output=True, timeout=timeout, check=True, start_new_session=True)


def _linking_doc(folder: Path, url: str) -> Path:
    """A generated report as a web page with an image linked from ``url``, saved by LibreOffice as a .doc:
    the .doc keeps the link (``INCLUDEPICTURE "url"``), not the picture."""
    page = samples.to_html(samples.make_report("2021", 2023, seed=11))
    page = page.replace("<p>一、总体情况</p>", f'<p>一、总体情况</p><p><img src="{url}" width="40" height="40"></p>', 1)
    html = folder / "linked.html"
    html.write_text(page, encoding="utf-8")
    _soffice(["--convert-to", "doc:MS Word 97", "--outdir", str(folder), str(html)], folder)
    return folder / "linked.doc"


@pytest.mark.parametrize("fence", ["namespace", "settings"])
def test_a_doc_linking_an_image_on_a_web_server_fetches_nothing(tmp_path, server, monkeypatch, fence):
    url = f"http://127.0.0.1:{server.server_address[1]}/beacon.png"
    doc = _linking_doc(tmp_path, url)
    assert url.encode() in doc.read_bytes()  # linked, not embedded
    assert server.requests, "the setup's LibreOffice fetched the image: the server is reachable"
    server.requests.clear()
    fenced = getattr(legacy, "offline_prefix", None)  # (a reader without it runs LibreOffice as it is: it fails)
    if fence == "settings":  # a machine where no network namespace can be made: the profile's settings alone
        monkeypatch.setattr(legacy, "offline_prefix", lambda: (), raising=False)
    elif fenced is not None and not fenced():
        pytest.skip("no network namespace can be made here (neither root nor user namespaces)")
    report = audit_kit.load(doc)
    assert report.meta["reader"] == "doc" and len(report.cells) == 200
    time.sleep(0.5)  # a request in flight would arrive now
    assert server.requests == []


def _processes_mentioning(text: str) -> list[str]:
    """The command lines of the running processes (zombies have none) that hold ``text``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{pid}: {cmdline[:200]}")
    return found


def test_a_conversion_that_times_out_leaves_no_libreoffice_running(tmp_path, monkeypatch):
    """A document that takes LibreOffice many seconds (a table of 40,000 rows), with a limit of 2 s: the
    conversion fails at once with a clear error, and no process of it is left (soffice.bin least of all)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the conversion's folder and profile: under tmp_path
    rows = "".join(f"<tr><td>第{i}行</td><td>{i}</td><td>{i * 3}</td></tr>" for i in range(40_000))
    slow = tmp_path / "slow.doc"
    slow.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(errors.ConversionError, match="超时"):
        legacy.convert(slow, slow.read_bytes(), "docx", timeout=2)
    assert time.monotonic() - started < 15
    assert _processes_mentioning(str(tmp_path)) == []
    time.sleep(3)  # nothing comes back either
    assert _processes_mentioning(str(tmp_path)) == []
