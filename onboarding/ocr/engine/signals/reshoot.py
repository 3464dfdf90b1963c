"""ReshootWarn: the photo is of a screen showing the card, not of the card (-9103).

Evidence: periodic structure in the rectified card's lightness, where a printed card has none. A
screen is a lattice of pixels and each pixel a row of red, green and blue stripes; a camera that
photographs it samples that lattice again with its own, and the two grids beat into moiré bands.
Text, portrait and guilloche are broadband, and even the guilloche's waves spread over many
frequencies because its lines bend. Two measures of the high-passed lightness, either of which
suffices:

* ``spectral_peak``: the strongest isolated peak of the whole card's 2-D spectrum over its 15x15
  neighbourhood (log-power excess). It is sharp when the lattice or the beat is strictly periodic
  across the card: a flat, square-on shot of a sharp screen.
* ``moire_texture``: the same excess measured in each 128 px tile of the card (half-overlapping),
  on a power spectrum smoothed by one bin, and its (lower) median over the tiles. Real moiré is only
  periodic locally: the screen's glass, a tilted or curved screen and the lens bend the bands
  (the beat's frequency drifts across the card), perspective chirps it, and a soft lens blurs the
  pixel lattice away, so its energy smears over many bins of the whole-card spectrum and no single
  bin stands out. A tile is small enough for the bands to be straight and even in it, and the
  median asks for that periodicity over most of the card, as a screen gives and as the local
  regularities of a printed card (a row of digits, a ruled frame, a pattern in one corner) do not.
  Frequencies on the tile's axes are left out of this measure: a card's straight text lines, edges
  and ruled frames put their energy there, and the JPEG block grid of an upright photo falls there
  too (a screen lattice on the axes is what the first measure catches).

Both are taken in the card's own frame (so the angle of the shot does not matter) at the photo's
own resolution (its width in photo pixels, between 512 and the canonical 856): a lattice or beat
the camera resolved a few photo pixels apart must not be averaged away by shrinking a large card,
and a small card must not be enlarged, which only adds the interpolation's own periodic texture.
Screen glare, raised blacks and the device bezel come with screens too, but light, contrast and the
table under a card vary as much, so they are not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import FloatImage, Image8

# log-power excess of the whole card's strongest peak over its neighbourhood (natural log), at the
# photo's resolution: printed specimen cards score 3.1-4.5, sharp screen re-shoots 5.8-9.5 (true
# corners, 40 + 40 photos).
RESHOOT_PEAK = 5.1
# median over the tiles of each tile's strongest off-axis excess: clean photos, copies, cut,
# occluded, glared, edited and temporary cards score up to 2.6, re-shoots whose whole-card peak is
# below RESHOOT_PEAK 3.5-5.2 (benchmark seed 7, the engine's own corners; seeds 12 and 5: all
# such re-shoots pass the whole-card peak, clean and other photos up to 2.6)
MOIRE_TEXTURE = 3.0
_MIN_WIDTH, _MAX_WIDTH = 512, layout.CARD_WIDTH  # analysis width range (px)
_MIN_RADIUS = 0.06  # cycles per pixel: only periods shorter than ~16 px of the analysed card
_TILE = 128  # px of the analysed card: bands bent or chirped across the card are even within it
_TILE_STEP = 64  # half-overlapping tiles: enough of them for a steady median on a small card
_AXIS_BINS = 2  # a tile's frequencies this close to an axis are a card's lines, not moiré
_NYQUIST_MARGIN = 0.03  # cycles per pixel below Nyquist: resampling leaves its own ripple there
_GREYS = np.repeat(np.arange(256, dtype=np.uint8).reshape(-1, 1, 1), 3, axis=2)
_LIGHTNESS = np.ascontiguousarray(cv2.cvtColor(_GREYS, cv2.COLOR_BGR2Lab)[:, 0, 0])


def _high_passed(card_bgr: Image8, card_px: float | None) -> FloatImage:
    """The card's lightness at the analysis size, less its blur (periods shorter than ~20 px)."""
    want = min(_MAX_WIDTH, max(_MIN_WIDTH, card_px or _MIN_WIDTH))
    # the next width the FFT factors well (856 = 8 x 107 would cost several times more); there are
    # few such sizes in the range, so the window and frequency mask are computed once per size
    width = cv2.getOptimalDFTSize(round(want))
    size = (width, cv2.getOptimalDFTSize(round(want * layout.CARD_HEIGHT / layout.CARD_WIDTH)))
    # grey before shrinking: area averaging one channel costs a third of three (both are linear,
    # so the order changes only the rounding)
    small = cv2.resize(cv2.cvtColor(card_bgr, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA)
    # Lab's lightness through a lookup on grey (a full Lab conversion costs ~10x more): the same
    # curve, exact for neutral greys, which is what a card's print and a screen's moiré mostly are
    lightness = cv2.LUT(small, _LIGHTNESS).astype(np.float32)
    high: FloatImage = lightness - cv2.GaussianBlur(lightness, (0, 0), 3.0)
    return high


def spectral_peak(card_bgr: Image8, *, card_px: float | None = None) -> float:
    """The strongest isolated spectral peak of the card's high-passed lightness (log-power excess).

    ``card_px`` is the card's width in the photo (the analysis follows it, see the module's note);
    without it the card is analysed at the smallest size.
    """
    return _whole_card_peak(_high_passed(card_bgr, card_px))


def moire_texture(card_bgr: Image8, *, card_px: float | None = None) -> float:
    """Median over the card's tiles of the strongest locally periodic, off-axis component.

    ``card_px`` as for ``spectral_peak``.
    """
    return _tile_median_peak(_high_passed(card_bgr, card_px))


def _whole_card_peak(high: FloatImage) -> float:
    h, w = high.shape
    power = _power(np.ascontiguousarray(high * _window(h, w)))
    log_power: FloatImage = np.fft.fftshift(np.log(power + np.float32(1e-3))).astype(np.float32)
    excess = log_power - cv2.blur(log_power, (15, 15))
    return float(excess[_far(h, w)].max())


def _tile_peaks(high: FloatImage) -> Iterator[float]:
    """Each tile's strongest off-axis log-power excess over its 15x15 neighbourhood."""
    tiles = sliding_window_view(high, (_TILE, _TILE))[::_TILE_STEP, ::_TILE_STEP].reshape(-1, _TILE, _TILE)
    window = _centred_window()
    keep = _tile_mask()
    for tile in tiles:
        power = _power(np.ascontiguousarray(tile * window))
        # one bin of smoothing gathers a peak that falls between bins or drifts within the tile
        log_power = cv2.log(cv2.GaussianBlur(power, (5, 5), 1.0) + np.float32(1e-3))
        excess = log_power - cv2.blur(log_power, (15, 15))
        yield float(cv2.minMaxLoc(excess, keep)[1])


def _power(x: FloatImage) -> FloatImage:
    """|DFT|² of a real image, uncentred, as from ``cv2.dft(..., DFT_COMPLEX_OUTPUT)``.

    OpenCV's complex output of a real input costs ~2.5x its packed (CCS) output, so on even sizes
    the power is unpacked from CCS here (OpenCV documents the layout; numpy has no cheaper 2-D
    real FFT) and its missing half filled by the spectrum's symmetry, P(-u, -v) = P(u, v).
    """
    m, n = x.shape
    if m % 2 or n % 2:
        dft = cv2.dft(x, flags=cv2.DFT_COMPLEX_OUTPUT)
        return np.asarray(dft[..., 0] ** 2 + dft[..., 1] ** 2, np.float32)
    ccs = cv2.dft(x)
    half = np.empty((m, n // 2 + 1), np.float32)
    inner = ccs[:, 1 : n - 1]  # (Re, Im) pairs of every row's columns 1 .. n/2 - 1
    half[:, 1 : n // 2] = inner[:, 0::2] ** 2 + inner[:, 1::2] ** 2
    for column, v in ((ccs[:, 0], 0), (ccs[:, n - 1], n // 2)):
        # columns 0 and n/2 are real sequences' spectra, packed down the column the same way
        half[0, v] = column[0] ** 2
        half[m // 2, v] = column[m - 1] ** 2
        half[1 : m // 2, v] = column[1 : m - 1 : 2] ** 2 + column[2 : m - 1 : 2] ** 2
        half[m // 2 + 1 :, v] = half[m // 2 - 1 : 0 : -1, v]
    power = np.empty((m, n), np.float32)
    power[:, : n // 2 + 1] = half
    power[:, n // 2 + 1 :] = half[_negated_rows(m), n // 2 - 1 : 0 : -1]
    return power


@lru_cache(maxsize=64)
def _negated_rows(m: int) -> NDArray[np.intp]:
    return (-np.arange(m)) % m


def _tile_count(high: FloatImage) -> int:
    h, w = int(high.shape[0]), int(high.shape[1])
    return ((h - _TILE) // _TILE_STEP + 1) * ((w - _TILE) // _TILE_STEP + 1)


def _tile_median_peak(high: FloatImage) -> float:
    # the lower median: above MOIRE_TEXTURE exactly when more than half the tiles are
    peaks = sorted(_tile_peaks(high))
    return peaks[(len(peaks) - 1) // 2]


def _most_tiles_periodic(high: FloatImage) -> bool:
    """``_tile_median_peak(high) > MOIRE_TEXTURE``, stopping as soon as the vote is decided."""
    half = _tile_count(high) / 2
    above = below = 0
    for peak in _tile_peaks(high):
        if peak > MOIRE_TEXTURE:
            above += 1
        else:
            below += 1
        if above > half or below >= half:
            break
    return above > half


@lru_cache(maxsize=1)
def _centred_window() -> NDArray[np.float32]:
    """The tile's Hann window times (-1)^(x+y), which puts frequency 0 at the spectrum's centre."""
    yy, xx = np.mgrid[0:_TILE, 0:_TILE]
    return (_window(_TILE, _TILE) * np.where((yy + xx) % 2 == 0, 1, -1)).astype(np.float32)


@lru_cache(maxsize=64)
def _window(h: int, w: int) -> NDArray[np.float32]:
    return np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)


@lru_cache(maxsize=64)
def _far(h: int, w: int) -> NDArray[np.bool_]:
    """Frequencies above ``_MIN_RADIUS`` cycles per pixel in a centred h x w spectrum."""
    # by broadcasting a column against a row: the same mask as from full coordinate grids, ~5x faster
    fy = ((np.arange(h) - h // 2) / h)[:, None]
    fx = ((np.arange(w) - w // 2) / w)[None, :]
    return np.asarray(np.hypot(fy, fx) > _MIN_RADIUS)


@lru_cache(maxsize=1)
def _tile_mask() -> NDArray[np.uint8]:
    """A tile's frequencies that count as moiré: far from the centre, the axes and Nyquist."""
    f = (np.arange(_TILE) - _TILE // 2) / _TILE
    fy, fx = f[:, None], f[None, :]
    off_axis = (np.abs(fy) * _TILE > _AXIS_BINS) & (np.abs(fx) * _TILE > _AXIS_BINS)
    below_nyquist = (np.abs(fy) < 0.5 - _NYQUIST_MARGIN) & (np.abs(fx) < 0.5 - _NYQUIST_MARGIN)
    return (off_axis & below_nyquist & (np.hypot(fy, fx) > _MIN_RADIUS)).astype(np.uint8)


def is_reshoot(card_bgr: Image8, *, card_px: float | None = None) -> bool:
    high = _high_passed(card_bgr, card_px)
    return _whole_card_peak(high) > RESHOOT_PEAK or _most_tiles_periodic(high)
