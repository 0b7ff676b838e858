"""Page images (.png, .jpg/.jpeg, .tif/.tiff) read by OCR. Each image is one page; a multi-page TIFF is
its frames in order. A folder of page images in a batch is one report per image (one file per page)."""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from pathlib import Path

import numpy as np

from ..config import MAX_PIXELS, Config
from ..errors import CorruptFileError, FileTooLargeError, UnreadableImageError
from ..model.document import Document
from .limits import too_many_pages
from .ocr import pages as ocr

MAX_SIDE = 3600  # pixels: about 300 dpi on A4; larger scans are scaled down (reading does not improve)


def _open(path: Path, data: bytes):
    """The image opened, its header read: nothing is decoded yet."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CorruptFileError(str(path), f"不是可读取的图像（{type(exc).__name__}）") from exc
    except Exception as exc:
        raise CorruptFileError(str(path), f"图像已损坏，无法解码（{type(exc).__name__}）") from exc


def _bounded(path: Path, img, frame: int, max_pixels: int) -> None:
    """Refuse the frame ``img`` stands at when it declares more than ``max_pixels`` pixels — from its header,
    before a byte of it is decoded (a decompression bomb declares billions in a few bytes)."""
    w, h = img.size
    if w * h > max_pixels:
        raise FileTooLargeError(str(path), f"图像第 {frame + 1} 帧过大（{w}×{h} 像素），超过上限 "
                                           f"{max_pixels / 1e4:g} 万像素（可能是解压炸弹），未解码")


def frame_count(path: Path, data: bytes, config: Config | None = None) -> int:
    """The frames (pages) of an image file; every frame's size is checked from its header first, and a file
    of more frames than ``config.max_pages`` is refused (:class:`PageLimitError`)."""
    config = config or Config()
    img = _open(path, data)
    n = getattr(img, "n_frames", 1)
    if n > config.max_pages:
        raise too_many_pages(str(path), f"图像共 {n} 帧（页）", config.max_pages)
    for i in range(n):
        try:
            img.seek(i)
        except (OSError, ValueError, EOFError) as exc:
            raise CorruptFileError(str(path), f"图像第 {i + 1} 帧无法读取（{type(exc).__name__}）") from exc
        _bounded(path, img, i, config.max_pixels)
    return n


def load_frame(path: Path, data: bytes, frame: int = 0, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """One frame as an RGB array: EXIF orientation applied, transparency on white, scaled to ≤ MAX_SIDE.
    A frame of more than ``max_pixels`` pixels is refused before it is decoded; a large JPEG is decoded at a
    reduced scale (JPEG's own draft mode) when it is to be scaled down anyway."""
    from PIL import Image, ImageOps

    img = _open(path, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.seek(frame)
            _bounded(path, img, frame, max_pixels)
            w, h = img.size
            if img.format == "JPEG" and max(w, h) > 2 * MAX_SIDE:
                s = MAX_SIDE / max(w, h)
                img.draft("RGB", (math.ceil(w * s), math.ceil(h * s)))
            img.load()
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                back = Image.new("RGB", img.size, "white")
                back.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
                img = back
            img = img.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
        raise FileTooLargeError(str(path), f"图像第 {frame + 1} 帧解码后过大（{type(exc).__name__}），未读取") from exc
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
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
    n = frame_count(path, data, config)  # every frame checked before the first is OCR'd
    pages = [(i + 1, lambda i=i: load_frame(path, data, i, config.max_pixels)) for i in range(n)]
    results = ocr.read_pages(path, sha, pages, "image", {i + 1: {"frame": i} for i in range(n)}, config)
    return ocr.document(path, results, "image-ocr")
