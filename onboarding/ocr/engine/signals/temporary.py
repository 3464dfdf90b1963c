"""TempIdWarn: the card is a temporary resident ID card, 临时居民身份证 (-9104).

Evidence: the temporary card's layout, read from where ink lies rather than from recognised words.

* Its title. The temporary card's front carries the title 中华人民共和国临时居民身份证 in a band
  along its top edge, where the second-generation card prints nothing but guilloche; on its back
  the big title has seven characters (临时居民身份证) where the second-generation card has five
  (居民身份证), so its characters stand closer. We measure the inked share of the top band, and the
  pitch of the back title's characters.
* Its frame. The temporary card is printed with a ruled frame running parallel to all four edges
  about a millimetre inside them; the second-generation card has no frame: its guilloche runs out
  to the rounded edge. For each edge we average the rectified card's lightness along the edge's
  middle 70 % (so text and guilloche, which are not parallel to the edge, average out while a ruled
  line adds up) and look, between 0.9 and 3 mm in from the edge, for a valley: a thin line darker
  than the card on both sides of it. A frame is a valley on at least three edges (one may be lost
  to glare or a finger). The card's own edge, a shadow or the table are steps, not valleys.

  A photocopy is the one other thing with a line along all four edges: the copier prints the card's
  outline on the sheet, and the engine's corners (found on the paper around it) put that line just
  inside the rectified edge: 0.5-0.8 mm in (mostly 0.5-0.6) on the benchmark's copies (seeds 5 and
  12), where the temporary card's frame lies 0.8-1.2 mm in (mostly 0.9-1.1, with the engine's
  corners and with the true ones). So the search starts at 0.9 mm, where a frame line 1.5 px wide
  centred at 0.8 mm is still a deep valley and a copy's outline no longer is. The margin is about
  a pixel of the canonical frame: corners found a millimetre outside a copy's outline would bring
  the false warnings back (see ``tests/ocr/test_signals_tampering.py``).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import Image8, canonical, gray
from onboarding.ocr.engine.types import CardSide

_DEPTH = 36  # canonical px (3.6 mm) in from each edge
# insets (px) where the frame line may lie: from just inside a copy's outline to 3 mm, for corner error
_SEARCH = (9, 30)
# Valley depth (grey levels) needed on the third-strongest edge: genuine specimens stay under 2,
# screen re-shoots (moiré bands along an edge) reach ~22, temporary cards score 35+.
FRAME_VALLEY = 30.0


def _valley_depths(profile: NDArray[np.float32]) -> NDArray[np.float32]:
    """Depth of a thin dark line at each inset: how far below the brightest pixel on both sides."""
    out = np.zeros(len(profile), np.float32)
    for i in range(5, len(profile) - 6):
        left = float(profile[i - 5 : i - 1].max())
        right = float(profile[i + 2 : i + 6].max())
        out[i] = min(left, right) - float(profile[i])
    return out


def frame_strength(card_bgr: Image8) -> float:
    """The third-strongest edge's frame-line valley depth, in grey levels."""
    g = gray(canonical(card_bgr)).astype(np.float32)
    h, w = g.shape
    xs, ys = slice(int(w * 0.15), int(w * 0.85)), slice(int(h * 0.15), int(h * 0.85))
    profiles = [
        g[:_DEPTH, xs].mean(axis=1),
        g[h - _DEPTH :, xs].mean(axis=1)[::-1],
        g[ys, :_DEPTH].mean(axis=0),
        g[ys, w - _DEPTH :].mean(axis=0)[::-1],
    ]
    best = sorted(
        float(_valley_depths(p.astype(np.float32))[_SEARCH[0] : _SEARCH[1]].max()) for p in profiles
    )
    return best[1]


# The front's top band is blank on a second-generation card; a temporary card's title inks most of
# its columns (specimens: 0 % against 40 %+). The back's big title is five characters spread across
# its box on a second-generation card (a pitch of ~114 px) and seven on a temporary card (~81 px).
TOP_BAND: layout.Box = (150, 16, 650, 50)
TOP_BAND_INKED = 0.25
BACK_TITLE_PITCH = 88.0


def _column_runs(ink: NDArray[np.bool_], *, gap: int) -> list[tuple[int, int]]:
    """Runs of inked columns, joined across gaps narrower than ``gap`` px."""
    columns = ink.mean(axis=0) > 0.03
    runs: list[list[int]] = []
    start: int | None = None
    for i, flag in enumerate([*columns.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if runs and start - runs[-1][1] < gap:
                runs[-1][1] = i
            else:
                runs.append([start, i])
            start = None
    return [(a, b) for a, b in runs]


def _ink(card_bgr: Image8, box: layout.Box) -> NDArray[np.bool_]:
    """Dark print (a black-hat well above the card's contrast) inside ``box`` of the canonical card."""
    g = gray(canonical(card_bgr)).astype(np.float32)
    # the card's contrast from every other pixel (the same percentiles, a quarter of the work)
    sample = g[::2, ::2]
    contrast = float(np.percentile(sample, 60) - np.percentile(sample, 0.5))
    # the black-hat only around the box (its 15-px kernel reaches 7 px beyond it)
    x0, y0, x1, y1 = box
    h, w = g.shape
    px0, py0, px1, py1 = max(0, x0 - 8), max(0, y0 - 8), min(w, x1 + 8), min(h, y1 + 8)
    black_hat = cv2.morphologyEx(g[py0:py1, px0:px1], cv2.MORPH_BLACKHAT, np.ones((15, 15), np.uint8))
    inside = black_hat[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
    return np.asarray(inside > 0.5 * max(contrast, 20.0))


def top_band_inked(card_bgr: Image8) -> float:
    """Share of the front's top band's columns that carry ink (a title)."""
    return float((_ink(card_bgr, TOP_BAND).mean(axis=0) > 0.03).mean())


def back_title_pitch(card_bgr: Image8) -> float:
    """Median distance between the back title's character centres (px); inf if under 3 characters."""
    runs = [r for r in _column_runs(_ink(card_bgr, layout.BACK_SUBTITLE), gap=8) if r[1] - r[0] >= 12]
    if len(runs) < 3:
        return float("inf")
    centres = np.array([(a + b) / 2 for a, b in runs])
    return float(np.median(np.diff(centres)))


def is_temporary(card_bgr: Image8, side: CardSide) -> bool:
    if side is CardSide.FRONT and top_band_inked(card_bgr) >= TOP_BAND_INKED:
        return True
    if side is CardSide.BACK and back_title_pitch(card_bgr) < BACK_TITLE_PITCH:
        return True
    return frame_strength(card_bgr) >= FRAME_VALLEY
