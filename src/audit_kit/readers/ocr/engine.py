"""The text recogniser: PP-OCRv4 from the ``rapidocr-onnxruntime`` wheel, which ships its ONNX models.

Only the recognition model is used: audit-kit finds the text lines itself (ruled cells, ink profile), so
the slow detection model never runs. Nothing is downloaded: the model file is read from the installed
package and a missing file is an error, not a fetch.

Recognition cost grows with the width of the line image once it is scaled to the model's 48-pixel
height, so each line is given white space above and below (text ≈ 55 % of the height): the scaled
image is half as wide and reads the same. Short crops (numbers) are left as cut: the model pads them
to its minimum width, and its confidence on them is then well calibrated (≥ 0.93 on clean scans).
"""

from __future__ import annotations

import time
from functools import cache
from importlib import metadata, resources

import cv2
import numpy as np

from ...errors import OcrEngineError

ENGINE = "rapidocr-onnxruntime"
TEXT_SHARE = 0.55  # the share of the line image's height the text takes after padding
CHUNK = 48  # line images recognised between two looks at the deadline: a multiple of rec_batch_num


class OutOfTime(Exception):
    """A deadline passed while a page was being read (the caller says for which file and limit)."""


def engine_version() -> str:
    try:
        return f"{ENGINE} {metadata.version(ENGINE)}"
    except metadata.PackageNotFoundError:
        return f"{ENGINE} (not installed)"


class Recognizer:
    """Recognise single text lines (grey crops): text and confidence for each, in one batched call."""

    calls = 0  # how many times the model ran over a batch of crops (tests count cache hits by it)

    def __init__(self, threads: int = 1) -> None:
        try:
            from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        except ImportError as exc:  # pragma: no cover - a broken install
            raise OcrEngineError("OCR", f"OCR 引擎未安装（{ENGINE}）：{exc}") from exc
        model = resources.files("rapidocr_onnxruntime").joinpath("models", "ch_PP-OCRv4_rec_infer.onnx")
        if not model.is_file():  # pragma: no cover - a broken install
            raise OcrEngineError("OCR", f"OCR 识别模型不在安装包中（{model}），不会从网络下载")
        config = {"model_path": str(model), "use_cuda": False, "use_dml": False,
                  "intra_op_num_threads": threads, "inter_op_num_threads": 1,
                  "rec_img_shape": [3, 48, 320], "rec_batch_num": 6}
        self._rec = TextRecognizer(config)

    def __call__(self, crops: list[np.ndarray], deadline: float | None = None) -> list[tuple[str, float]]:
        """Text and confidence of each crop. The model sorts its images by shape and runs them in batches
        of six; here they are sorted the same way and given to it :data:`CHUNK` at a time, so the batches —
        and the results — are those of one call, and ``deadline`` (``time.monotonic()``) is looked at
        between chunks (:class:`OutOfTime`)."""
        if not crops:
            return []
        Recognizer.calls += 1
        images = [cv2.cvtColor(_pad(c), cv2.COLOR_GRAY2BGR) for c in crops]
        order = sorted(range(len(images)), key=lambda i: images[i].shape[1] / float(images[i].shape[0]))
        out: list[tuple[str, float]] = [("", 0.0)] * len(images)
        for k in range(0, len(order), CHUNK):
            if deadline is not None and time.monotonic() > deadline:
                raise OutOfTime
            part = order[k:k + CHUNK]
            results, _elapsed = self._rec([images[i] for i in part])
            for i, (text, score) in zip(part, results, strict=True):
                out[i] = (str(text), round(float(score), 4))
        return out


def _pad(crop: np.ndarray) -> np.ndarray:
    """White space above and below so the text is TEXT_SHARE of the height (see the module notes)."""
    h, w = crop.shape[:2]
    if w < 4 * h:
        return crop  # a number: the model pads it to its 320-pixel minimum width anyway
    extra = max(0, int(h / TEXT_SHARE) - h) // 2
    return cv2.copyMakeBorder(crop, extra, extra, 6, 6, cv2.BORDER_CONSTANT, value=255)


@cache
def recognizer(threads: int = 1) -> Recognizer:
    """One recogniser per process and thread count (``Config.ocr_threads``; default 1: batch workers are the
    parallelism)."""
    return Recognizer(threads)
