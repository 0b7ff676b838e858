"""OCR speed and memory: a scanned report read end to end (audit_kit.load + check) on one core.

    python benchmarks/ocr_speed.py [SCAN.pdf|PNG ...] [--tesseract]

Without arguments scans are made (200 dpi, JPEG q85) of the real huaian-2024.pdf (../shared corpus, ruled
tables) and of a generated sample report printed by LibreOffice without table rules. Prints seconds per
page (CPU and wall: the machine is shared) and the peak memory. ``--tesseract`` also reads the same value
cells with Debian's tesseract (chi_sim, one line per cell) and compares both engines with the text layer.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("AUDIT_KIT_OCR_THREADS", "1")
os.environ["AUDIT_KIT_OCR_CACHE"] = "off"  # measure the OCR, not the cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HUAIAN = ROOT.parent / "shared" / "corpus" / "dev" / "pdf" / "huaian-2024.pdf"


def _make_scans(tmp: Path) -> list[tuple[Path, Path]]:
    """(scan, text-layer source) pairs: the real huaian-2024.pdf when the corpus is here (ruled tables), and
    a generated sample report printed by LibreOffice as it is (tables without rules), both at 200 dpi."""
    from tests import ocr_scans

    sources = [HUAIAN] if HUAIAN.exists() else []
    if shutil.which("soffice"):
        from audit_kit.readers.legacy import convert
        from audit_kit.testing import samples

        docx = tmp / "sample.docx"
        docx.write_bytes(samples.to_docx(samples.make_report("2021", seed=3)))
        sample = tmp / "sample-unruled.pdf"
        sample.write_bytes(convert(docx, docx.read_bytes(), "pdf"))
        sources.append(sample)
    out = []
    for src in sources:
        scan = tmp / f"scan-{src.stem}.pdf"
        scan.write_bytes(ocr_scans.image_pdf([ocr_scans.jpeg(p, 85) for p in ocr_scans.raster(src, 200)]))
        out.append((scan, src))
    return out


def _tesseract(report, reference) -> None:
    """The same value cells (boxes found by audit-kit) read by tesseract, one process per cell."""
    import numpy as np
    from PIL import Image

    from audit_kit.readers.ocr import crops as ocr_crops
    from audit_kit.readers.ocr import layout as ocr_page

    exe = shutil.which("tesseract")
    if exe is None:
        print("tesseract 未安装（apt-get install tesseract-ocr tesseract-ocr-chi-sim），跳过对比")
        return
    ev = report.meta["ocr"]
    pages: dict[str, np.ndarray] = {}
    ref = reference.cells.set_index(["table", "row", "col"])["raw"]
    got = report.cells.set_index(["table", "row", "col"])["source"]
    right_t = right_r = n = 0
    cpu = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for k, want in ref.items():
            if k not in got.index:
                continue
            cell = ev["cells"][got[k]]
            p = str(cell["page"])
            if p not in pages:
                info = ev["pages"][p]
                rgb, _ = ocr_page.normalise(ocr_crops.page_image(Path(report.meta["source"]), info))
                pages[p] = ocr_page.to_gray(ocr_page.rotate(rgb, info["angle"]))
            x0, y0, x1, y1 = cell["box"]
            m = 6 if y1 - y0 > 45 else -6  # a ruled cell's box holds its rules; a word's box is tight on the ink
            f = Path(tmp) / "c.png"
            page = pages[p]
            Image.fromarray(page[max(y0 + m, 0) : y1 - m, max(x0 + m, 0) : x1 - m]).save(f)
            t = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            out = subprocess.run([exe, str(f), "-", "-l", "chi_sim", "--psm", "7"], capture_output=True, text=True,
                                 env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
            cpu += resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - t
            n += 1
            right_t += out.strip().replace(" ", "") == want
            right_r += report.cells.set_index(["table", "row", "col"]).loc[k, "raw"] == want
    print(f"同一批 {n} 个数值格：rapidocr 正确 {right_r}，tesseract 正确 {right_t}（tesseract CPU {cpu:.1f} s）")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--tesseract", action="store_true")
    args = ap.parse_args()
    import audit_kit

    with tempfile.TemporaryDirectory() as tmp:
        pairs = [(f, None) for f in args.files] or _make_scans(Path(tmp))
        for f, src in pairs:
            reference = audit_kit.load(src) if src is not None else None
            t, c = time.perf_counter(), time.process_time()
            report = audit_kit.load(f)
            audit_kit.check(report)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            pages = len((report.meta.get("ocr") or {}).get("pages", {})) or 1
            print(f"{f.name}: {pages} 页，CPU {cpu / pages:.2f} s/页，墙钟 {wall / pages:.2f} s/页（单线程），"
                  f"读到 {len(report.cells)} 格")
            if reference is not None:
                ref = reference.cells.set_index(["table", "row", "col"])["value"]
                got = report.cells.set_index(["table", "row", "col"])["value"]
                same = sum(1 for k, v in ref.items() if k in got.index and got[k] == v)
                print(f"  与文字层一致：{same}/{len(ref)} 格")
                if args.tesseract:
                    _tesseract(report, reference)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"内存峰值 {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
