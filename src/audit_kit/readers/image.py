"""Page images (.png, .jpg/.jpeg, .tif/.tiff) read by OCR. Each image is one page; a multi-page TIFF is
its frames in order. A folder of page images in a batch is one report per image (one file per page)."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import CorruptFileError, UnreadableImageError
from ..model.document import Document
from .ocr import pages as ocr

MAX_SIDE = 3600  # pixels: about 300 dpi on A4; larger scans are scaled down (reading does not improve)
MAX_FRAMES = 50


def _open(path: Path, data: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            img.load()
        return img
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CorruptFileError(str(path), f"不是可读取的图像（{type(exc).__name__}）") from exc
    except Exception as exc:
        raise CorruptFileError(str(path), f"图像已损坏，无法解码（{type(exc).__name__}）") from exc


def frame_count(path: Path, data: bytes) -> int:
    return min(MAX_FRAMES, getattr(_open(path, data), "n_frames", 1))


def load_frame(path: Path, data: bytes, frame: int = 0) -> np.ndarray:
    """One frame as an RGB array: EXIF orientation applied, transparency on white, scaled to ≤ MAX_SIDE."""
    from PIL import Image, ImageOps

    img = _open(path, data)
    try:
        img.seek(frame)
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            back = Image.new("RGB", img.size, "white")
            back.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
            img = back
        img = img.convert("RGB")
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptFileError(str(path), f"图像第 {frame + 1} 帧无法解码（{type(exc).__name__}）") from exc
    w, h = img.size
    if min(w, h) < ocr.op.MIN_SIDE:
        raise UnreadableImageError(str(path), f"图像太小（{w}×{h} 像素），不是可识别的扫描页")
    if max(w, h) > MAX_SIDE:
        s = MAX_SIDE / max(w, h)
        img = img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.LANCZOS)
    return np.asarray(img)


def read_image(path: Path, data: bytes, config: Config) -> Document:
    sha = hashlib.sha256(data).hexdigest()
    n = frame_count(path, data)
    pages = [(i + 1, lambda i=i: load_frame(path, data, i)) for i in range(n)]
    results = ocr.read_pages(path, sha, pages, "image", {i + 1: {"frame": i} for i in range(n)}, config)
    return ocr.document(path, results, "image-ocr")
