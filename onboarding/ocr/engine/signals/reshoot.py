"""ReshootWarn: the photo is of a screen showing the card, not of the card (-9103).

Evidence: periodic structure in the rectified card's spectrum. A screen is a lattice of pixels and
each pixel a row of red, green and blue stripes; a camera that photographs it samples that lattice
again with its own, and the two grids beat into moiré bands. Both the lattice (if resolved) and the
beat (always) are strictly periodic, so they show as isolated peaks in the 2-D Fourier spectrum,
standing far above the spectrum's local level. A printed card has nothing like it: text, portrait
and guilloche are broadband, and even the guilloche's waves spread over many frequencies because
its lines bend. We take the spectrum of the high-passed lightness of the rectified card (so the
peaks are in the card's own frame, whatever the angle of the shot), compare each frequency's
log-power with the mean of its 15x15 neighbourhood, and keep the strongest excess. Screen glare,
raised blacks and the device bezel come with screens too, but light, contrast and the table under a
card vary as much, so they are not used.

The card is analysed at the photo's own resolution (its width in photo pixels, between 512 and the
canonical 856): a lattice or beat the camera resolved a few photo pixels apart must not be averaged
away by shrinking a large card, and a small card must not be enlarged, which only adds the
interpolation's own periodic texture.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import FloatImage, Image8

# log-power excess of the strongest peak over its neighbourhood (natural log), analysed at the
# photo's resolution: printed specimen cards score 3.1-4.5, screen re-shoots 5.8-9.5 (true corners,
# 40 + 40 photos).
RESHOOT_PEAK = 5.1
_MIN_WIDTH, _MAX_WIDTH = 512, layout.CARD_WIDTH  # analysis width range (px)
_MIN_RADIUS = 0.06  # cycles per pixel: only periods shorter than ~16 px of the analysed card
_GREYS = np.repeat(np.arange(256, dtype=np.uint8).reshape(-1, 1, 1), 3, axis=2)
_LIGHTNESS = np.ascontiguousarray(cv2.cvtColor(_GREYS, cv2.COLOR_BGR2Lab)[:, 0, 0])


def spectral_peak(card_bgr: Image8, *, card_px: float | None = None) -> float:
    """The strongest isolated spectral peak of the card's high-passed lightness (log-power excess).

    ``card_px`` is the card's width in the photo (the analysis follows it, see the module's note);
    without it the card is analysed at the smallest size.
    """
    want = min(_MAX_WIDTH, max(_MIN_WIDTH, card_px or _MIN_WIDTH))
    # the next width the FFT factors well (856 = 8 x 107 would cost several times more); there are
    # few such sizes in the range, so the window and frequency mask are computed once per size
    width = cv2.getOptimalDFTSize(round(want))
    size = (width, cv2.getOptimalDFTSize(round(want * layout.CARD_HEIGHT / layout.CARD_WIDTH)))
    small = cv2.resize(card_bgr, size, interpolation=cv2.INTER_AREA)
    # Lab's lightness through a lookup on grey (a full Lab conversion costs ~10x more): the same
    # curve, exact for neutral greys, which is what a card's print and a screen's moiré mostly are
    lightness = cv2.LUT(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), _LIGHTNESS).astype(np.float32)
    high = lightness - cv2.GaussianBlur(lightness, (0, 0), 3.0)
    h, w = high.shape
    window = _window(h, w)
    dft = cv2.dft(np.ascontiguousarray(high * window), flags=cv2.DFT_COMPLEX_OUTPUT)
    power = dft[..., 0] ** 2 + dft[..., 1] ** 2
    log_power: FloatImage = np.fft.fftshift(np.log(power + np.float32(1e-3))).astype(np.float32)
    excess = log_power - cv2.blur(log_power, (15, 15))
    return float(excess[_far(h, w)].max())


@lru_cache(maxsize=64)
def _window(h: int, w: int) -> NDArray[np.float32]:
    return np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)


@lru_cache(maxsize=64)
def _far(h: int, w: int) -> NDArray[np.bool_]:
    """Frequencies above ``_MIN_RADIUS`` cycles per pixel in a centred h x w spectrum."""
    yy, xx = np.mgrid[0:h, 0:w]
    return np.asarray(np.hypot((yy - h // 2) / h, (xx - w // 2) / w) > _MIN_RADIUS)


def is_reshoot(card_bgr: Image8, *, card_px: float | None = None) -> bool:
    return spectral_peak(card_bgr, card_px=card_px) > RESHOOT_PEAK
