"""Image side of OCR: clean a scanned page and find its layout, with OpenCV only (no recognition here).

- The red official seal is removed by reading the page through its red channel: red ink is bright there,
  black print stays dark, so text under the seal survives.
- Skew up to ±3° is measured from the ruling lines (or, on a page without a table, from the text lines)
  and undone.
- Tables are found from their ruling lines: each enclosed white region is a cell, with its box.
- Text outside the tables is cut into lines by the horizontal ink profile, and lines into words at gaps
  wider than one em (:func:`words_in`): the columns of a table printed without rules stay apart, with
  their boxes, for the text-layer reader's word-position table reconstruction (``readers/pdf.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 3.0
TARGET_SIDE = 2400  # pixels of a page's shorter side (A4 at about 290 dpi)
MAX_LONG_SIDE = 4200
CHAR_GAP = 8  # pixels at TARGET_SIDE: the widest gap inside a character
INK_MAX = 165  # grey level: darker may be ink (the seal's red, ≈ 215 in the red channel, never is)
MIN_SIDE = 200  # pixels: a page image smaller than this holds no readable report


@dataclass(frozen=True, slots=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    def as_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]


@dataclass(slots=True)
class Grid:
    """One ruled table on a page: its outer box and its cells (boxes in page pixels)."""

    box: Box
    cells: list[Box]


def normalise(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The page scaled so its shorter side is TARGET_SIDE pixels, and the factor: every size below
    (cells, padding, line gaps) is meant at that scale, and digits are read best there."""
    h, w = rgb.shape[:2]
    scale = min(TARGET_SIDE / min(h, w), MAX_LONG_SIDE / max(h, w))
    if abs(scale - 1) < 0.02:
        return rgb, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA), round(scale, 4)


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """The page in grey with the red seal gone: the red channel, where red ink is as light as paper."""
    if rgb.ndim == 2:
        return rgb
    r = rgb[:, :, 0]
    gb = np.maximum(rgb[:, :, 1], rgb[:, :, 2])
    gray = r.copy()
    # plainly red and not dark: the seal. Print under the seal is dark in every channel and stays.
    gray[(r.astype(np.int16) - gb > 60) & (r > INK_MAX)] = 255
    return gray


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: Otsu on a lightly blurred page, but never lighter than INK_MAX — what the seal
    leaves in the red channel (≈ 200) is paper, even where it covers most of a cell."""
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    t, _ink = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _t, ink = cv2.threshold(blur, min(t, INK_MAX), 255, cv2.THRESH_BINARY_INV)
    return ink


def skew_angle(ink: np.ndarray) -> float:
    """The page's skew in degrees (within ±3°): the rotation that makes rows of ink sharpest."""
    h, w = ink.shape
    scale = min(1.0, 800 / max(h, w))
    small = cv2.resize(ink, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rot.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    return round(float(max(fine, key=sharpness)), 2)


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre, filling with white; a no-op for |angle| < 0.05°."""
    if abs(angle) < 0.05:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def prepare(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """Grey, seal-free, deskewed page and the angle it was turned by."""
    gray = to_gray(rgb)
    angle = skew_angle(binarize(gray))
    return rotate(gray, angle), angle


def line_mask(ink: np.ndarray) -> np.ndarray:
    """Ruling lines (long horizontal and vertical runs of ink), slightly widened."""
    h, w = ink.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 25), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 60))))
    lines = cv2.bitwise_or(horiz, vert)
    return cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))


def find_grids(lines: np.ndarray) -> list[Grid]:
    """Ruled tables: regions of crossing lines (a :func:`line_mask`), each with the cells they enclose."""
    _h, w = lines.shape
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(lines, connectivity=8)
    grids = []
    min_cell = max(8, w // 150)
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        if bw < w // 4 or bh < min_cell * 2:
            continue
        region = lines[y : y + bh, x : x + bw]
        m, _cell_labels, cstats, _cc = cv2.connectedComponentsWithStats(cv2.bitwise_not(region), connectivity=4)
        cells = []
        for j in range(1, m):
            cx, cy, cw, ch, area = cstats[j]
            if cw < min_cell or ch < min_cell or area < 0.5 * cw * ch:
                continue  # slivers and ragged regions are not cells
            if cx == 0 or cy == 0 or cx + cw >= bw or cy + ch >= bh:
                continue  # the outside of the table, reaching the region's edge
            cells.append(Box(int(x + cx), int(y + cy), int(x + cx + cw), int(y + cy + ch)))
        if len(cells) >= 2:
            grids.append(Grid(Box(int(x), int(y), int(x + bw), int(y + bh)), cells))
    return sorted(grids, key=lambda g: g.box.y0)


def rows_of(grid: Grid) -> list[list[tuple[Box, bool]]]:
    """The grid's cells as printed rows, left to right: (box, continued) where ``continued`` marks a cell
    that spans down from a row above (read once, where it starts, like a merged cell)."""
    tol = max(4, min(c.h for c in grid.cells) // 3)
    tops: list[int] = []
    for t in sorted(c.y0 for c in grid.cells):
        if not tops or t - tops[-1] > tol:
            tops.append(t)
    rows: list[list[tuple[Box, bool]]] = []
    for top in tops:
        row = []
        for c in grid.cells:
            if abs(c.y0 - top) <= tol:
                row.append((c, False))
            elif c.y0 < top - tol and c.y1 > top + tol:
                row.append((c, True))
        rows.append(sorted(row, key=lambda bc: bc[0].x0))
    return rows


def text_lines(ink: np.ndarray, skip: list[Box]) -> list[Box]:
    """Boxes of the text lines outside the tables (horizontal ink profile, then the ink's extent)."""
    h = ink.shape[0]
    work = ink.copy()
    for b in skip:
        work[max(0, b.y0 - 2) : b.y1 + 3, max(0, b.x0 - 2) : b.x1 + 3] = 0
    work = cv2.morphologyEx(work, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # specks of noise
    # gaps inside a character (定's roof and foot) closed, so a narrow column's line is not cut in two
    profile = (cv2.dilate(work, np.ones((CHAR_GAP // 2, 1), np.uint8)) > 0).sum(axis=1)
    on = profile > 2
    out = []
    y = 0
    min_h = max(6, h // 250)
    while y < h:
        if not on[y]:
            y += 1
            continue
        y0 = y
        while y < h and on[y]:
            y += 1
        if y - y0 < min_h:
            continue
        cols = np.flatnonzero((work[y0:y] > 0).any(axis=0))
        if cols.size == 0:
            continue
        out.append(Box(int(cols[0]), y0, int(cols[-1]) + 1, y))
    return out


def ink_box(gray_cell: np.ndarray, pad: int = 4) -> tuple[int, int, int, int] | None:
    """The extent of the ink inside a cell crop (ruling-line remnants at the border ignored)."""
    if gray_cell.size == 0:
        return None
    ink = binarize(gray_cell)
    m = 3
    ink[:m, :] = 0
    ink[-m:, :] = 0
    ink[:, :m] = 0
    ink[:, -m:] = 0
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    if gray_cell.min() > 160 or ink.sum() < 255 * 6:
        return None
    ys = np.flatnonzero(ink.any(axis=1))
    xs = np.flatnonzero(ink.any(axis=0))
    h, w = ink.shape
    return max(0, xs[0] - pad), max(0, ys[0] - pad), min(w, xs[-1] + 1 + pad), min(h, ys[-1] + 1 + pad)


def _runs(on: np.ndarray) -> list[list[int]]:
    """The [start, end) spans of the runs of True in ``on``."""
    spans: list[list[int]] = []
    y = 0
    while y < len(on):
        if not on[y]:
            y += 1
            continue
        s = y
        while y < len(on) and on[y]:
            y += 1
        spans.append([s, y])
    return spans


def cell_lines(gray_cell: np.ndarray) -> list[np.ndarray]:
    """A cell's text cut into lines (a label may wrap over two or three), each trimmed to its ink."""
    found = ink_box(gray_cell, pad=0)
    if found is None:
        return []
    x0, y0, x1, y1 = found
    ink = binarize(gray_cell)
    ink[:3, :] = 0
    ink[-3:, :] = 0
    ink[:, :3] = 0
    ink[:, -3:] = 0
    gap = CHAR_GAP  # closes gaps inside a character (二, 7), not between lines
    body = cv2.dilate(ink[y0:y1, x0:x1], np.ones((gap, 1), np.uint8))
    spans = _runs(np.asarray((body > 0).any(axis=1)))
    merged: list[list[int]] = []
    tall = max((e - s for s, e in spans), default=0)
    for s, e in spans:  # a sliver (a quote mark, the stroke of 一) goes with the line above
        if merged and e - s < tall // 3:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    out = []
    for s, e in merged:
        band = ink[y0 + s : y0 + e, x0:x1]
        xs = np.flatnonzero(band.any(axis=0))
        if xs.size == 0:
            continue
        pad = 4
        ys0, ys1 = max(0, y0 + s - pad), min(gray_cell.shape[0], y0 + e + pad)
        xs0, xs1 = max(0, x0 + xs[0] - pad), min(gray_cell.shape[1], x0 + xs[-1] + 1 + pad)
        out.append(gray_cell[ys0:ys1, xs0:xs1])
    return out


def em_size(lines: list[Box]) -> int:
    """The page's type size in pixels: the median height of its text lines (24 when it has none)."""
    return int(np.median([b.h for b in lines])) if lines else 24


def words_in(ink: np.ndarray, line: Box, em: int) -> list[Box]:
    """The words of a text line: runs of ink parted by more than one em of white (the gap between the
    columns of a table without rules; a full-width comma's own white space is less), each trimmed to its
    ink. A run holding two stacked lines (the line band joined them through another column) is split."""
    band = ink[line.y0 : line.y1, line.x0 : line.x1]
    cols = (band > 0).any(axis=0)
    xs = np.flatnonzero(cols)
    if xs.size == 0:
        return []
    runs: list[list[int]] = [[int(xs[0]), int(xs[0]) + 1]]
    for x in xs[1:]:
        if x - runs[-1][1] > em:
            runs.append([int(x), int(x) + 1])
        else:
            runs[-1][1] = int(x) + 1
    out = []
    for a, b in runs:
        part = band[:, a:b]
        grown = cv2.dilate(part, np.ones((CHAR_GAP, 1), np.uint8))
        spans: list[list[int]] = []
        for s, y in _runs(np.asarray((grown > 0).any(axis=1))):
            if spans and y - s < em // 3:
                spans[-1][1] = y  # a sliver (the stroke of 一, a quote mark) goes with the line above
            else:
                spans.append([s, y])
        for s, e in spans:
            rows = np.flatnonzero((part[s:e] > 0).any(axis=1))
            if rows.size == 0:
                continue
            cols_in = np.flatnonzero((part[s:e] > 0).any(axis=0))
            if rows[-1] - rows[0] < em // 5 and cols_in[-1] - cols_in[0] < em // 5:
                continue  # a speck of dust or JPEG noise alone, not a word (a lone "." is no value)
            out.append(Box(line.x0 + a + int(cols_in[0]), line.y0 + s + int(rows[0]),
                           line.x0 + a + int(cols_in[-1]) + 1, line.y0 + s + int(rows[-1]) + 1))
    return out
