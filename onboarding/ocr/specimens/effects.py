"""Effects in the card's plane: glare, occluders, photocopies, screens (no Django imports).

The card and whatever carries it (a photocopy sheet, a screen) form one plane that a single
homography later places in the photo, so everything drawn here follows the card's perspective.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide, ReflectPosition
from onboarding.ocr.specimens.card import CARD_H, CARD_SCALE, CARD_W

__all__ = [
    "OCCLUDERS",
    "Plane",
    "add_glare",
    "card_plane",
    "downscale",
    "moire",
    "np_rng",
    "occlude",
    "photocopy",
    "screen",
    "subpixel_grid",
]

# OpenCV's stubs type every result as a generic array, so images are typed loosely here.
Image8 = NDArray[Any]  # BGR uint8
FloatImg = NDArray[Any]  # float32

Photocopy = Literal["bw", "color"]
Occluder = Literal["finger", "sticker", "paper"]
OCCLUDERS: tuple[Occluder, ...] = ("finger", "sticker", "paper")


@dataclass
class Plane:
    """An image in the card's plane, with its alpha and where the card sits in it."""

    img: Image8
    alpha: FloatImg
    card_xy: tuple[float, float]  # top-left of the card in plane pixels
    card_scale: float  # plane pixels per 2x-card pixel
    glare: FloatImg | None = None

    def card_corners(self) -> NDArray[np.float32]:
        x, y, s = self.card_xy[0], self.card_xy[1], self.card_scale
        return np.array(
            [[x, y], [x + CARD_W * s, y], [x + CARD_W * s, y + CARD_H * s], [x, y + CARD_H * s]], np.float32
        )


def _rounded_mask(w: int, h: int, radius: int) -> FloatImg:
    mask = np.zeros((h, w), np.uint8)
    cv2.rectangle(mask, (radius, 0), (w - 1 - radius, h - 1), 255, -1)
    cv2.rectangle(mask, (0, radius), (w - 1, h - 1 - radius), 255, -1)
    for cx, cy in (
        (radius, radius),
        (w - 1 - radius, radius),
        (radius, h - 1 - radius),
        (w - 1 - radius, h - 1 - radius),
    ):
        cv2.circle(mask, (cx, cy), radius, 255, -1, cv2.LINE_AA)
    return mask.astype(np.float32) / 255.0


def card_plane(card: Image8, margin: int) -> Plane:
    h, w = card.shape[:2]
    img = np.zeros((h + 2 * margin, w + 2 * margin, 3), np.uint8)
    img[margin : margin + h, margin : margin + w] = card
    alpha = np.zeros(img.shape[:2], np.float32)
    alpha[margin : margin + h, margin : margin + w] = _rounded_mask(w, h, int(31.8 * CARD_SCALE))
    # the card's edge: a slightly darker rim, as a laminated card shows
    rim = (alpha > 0).astype(np.uint8) - cv2.erode((alpha > 0.5).astype(np.uint8), np.ones((5, 5), np.uint8))
    img[rim > 0] = (img[rim > 0] * 0.8).astype(np.uint8)
    return Plane(img, alpha, (margin, margin), 1.0)


def downscale(plane: Plane, k: float) -> Plane:
    if k >= 0.95:
        return plane
    size = (max(1, round(plane.img.shape[1] * k)), max(1, round(plane.img.shape[0] * k)))
    glare = None if plane.glare is None else cv2.resize(plane.glare, size, interpolation=cv2.INTER_AREA)
    return Plane(
        cv2.resize(plane.img, size, interpolation=cv2.INTER_AREA),
        cv2.resize(plane.alpha, size, interpolation=cv2.INTER_AREA),
        (plane.card_xy[0] * k, plane.card_xy[1] * k),
        plane.card_scale * k,
        glare,
    )


def np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def _field_boxes(side: CardSide) -> dict[str, layout.Box]:
    return dict(layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES)


def _overlap(a: layout.Box, b: layout.Box) -> float:
    """Intersection area over the area of ``b``."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1, (b[2] - b[0]) * (b[3] - b[1]))


def add_glare(
    plane: Plane, side: CardSide, target: ReflectPosition | None, rng: random.Random
) -> tuple[ReflectPosition, ...]:
    """A bright washed-out ellipse on the card; returns the layout regions it hits."""
    targets: dict[ReflectPosition, layout.Box] = {
        ReflectPosition.RECOGNITION_FIELD: rng.choice(list(_field_boxes(side).values())),
        ReflectPosition.OTHERS: (20, 380, 150, 520) if side is CardSide.BACK else (380, 300, 540, 400),
    }
    if side is CardSide.FRONT:
        targets[ReflectPosition.PORTRAIT] = layout.PORTRAIT
    else:
        targets[ReflectPosition.NATIONAL_EMBLEM] = layout.EMBLEM
    if target not in targets:
        target = rng.choice(list(targets))
    box = targets[target]
    cx = rng.uniform(box[0], box[2])
    cy = rng.uniform(box[1], box[3])
    rx = rng.uniform(70, 130)
    ry = rx * rng.uniform(0.5, 0.9)
    angle = rng.uniform(0, 180)
    # canonical-frame mask first: it decides which regions are hit
    canon: FloatImg = np.zeros((layout.CARD_HEIGHT, layout.CARD_WIDTH), np.float32)
    cv2.ellipse(canon, (round(cx), round(cy)), (round(rx), round(ry)), angle, 0, 360, 1.0, -1, cv2.LINE_AA)
    canon = cv2.GaussianBlur(canon, (0, 0), rx * 0.25)
    canon = np.clip(canon * 1.25, 0, 1)
    hit: list[ReflectPosition] = []

    def hits(b: layout.Box) -> bool:
        return bool((canon[b[1] : b[3], b[0] : b[2]] > 0.6).sum() > 150)

    if side is CardSide.BACK and hits(layout.EMBLEM):
        hit.append(ReflectPosition.NATIONAL_EMBLEM)
    if side is CardSide.FRONT and hits(layout.PORTRAIT):
        hit.append(ReflectPosition.PORTRAIT)
    if any(hits(b) for b in _field_boxes(side).values()):
        hit.append(ReflectPosition.RECOGNITION_FIELD)
    if not hit:
        hit.append(ReflectPosition.OTHERS)
    ph, pw = plane.img.shape[:2]
    s = plane.card_scale * CARD_SCALE
    m = np.array([[s, 0, plane.card_xy[0]], [0, s, plane.card_xy[1]]], np.float32)
    plane.glare = cv2.warpAffine(canon, m, (pw, ph)) * plane.alpha
    return tuple(hit)


def occlude(
    plane: Plane, side: CardSide, kind: Occluder, rng: random.Random
) -> tuple[layout.Box, tuple[str, ...]]:
    """Cover part of the card (in its plane) with a finger, a sticker or a sheet of paper."""
    s = plane.card_scale * CARD_SCALE
    ox, oy = plane.card_xy
    aa = cv2.LINE_AA
    img = plane.img
    shape = np.zeros(img.shape[:2], np.uint8)
    if kind == "finger":
        # a thumb reaching in from the bottom or a side edge, over the card
        edge = rng.choice(("bottom", "left", "right"))
        width = rng.uniform(120, 170)
        length = rng.uniform(300, 380)
        depth = rng.uniform(110, 200)  # how far the tip reaches into the card
        if edge == "bottom":
            cx, cy = rng.uniform(150, 700), 540 + length / 2 - depth
            axes, ang = (width / 2, length / 2), rng.uniform(-20, 20)
        elif edge == "left":
            cx, cy = -length / 2 + depth, rng.uniform(150, 420)
            axes, ang = (length / 2, width / 2), rng.uniform(-20, 20)
        else:
            cx, cy = 856 + length / 2 - depth, rng.uniform(150, 420)
            axes, ang = (length / 2, width / 2), rng.uniform(-20, 20)
        centre = (round(ox + cx * s), round(oy + cy * s))
        cv2.ellipse(shape, centre, (round(axes[0] * s), round(axes[1] * s)), ang, 0, 360, 255, -1, aa)
        skin = np.array([rng.randint(120, 160), rng.randint(150, 185), rng.randint(200, 235)], np.float32)
        dist = cv2.distanceTransform((shape > 0).astype(np.uint8), cv2.DIST_L2, 5)
        shade = np.clip(dist / max(1.0, float(dist.max()) * 0.6), 0, 1)[..., None]
        colour = skin * (0.65 + 0.35 * shade)

        sel = shape > 0
        img[sel] = np.clip(colour[sel], 0, 255).astype(np.uint8)
    elif kind == "sticker":
        boxes = list(_field_boxes(side).values())
        b = rng.choice(boxes)
        w, h = rng.uniform(110, 180), rng.uniform(70, 110)
        cx, cy = rng.uniform(b[0] + 20, b[2] - 20), (b[1] + b[3]) / 2
        rect = ((ox + cx * s, oy + cy * s), (w * s, h * s), rng.uniform(-25, 25))
        pts = cv2.boxPoints(rect).astype(np.int32)
        cv2.fillPoly(shape, [pts], 255, aa)
        colour = rng.choice(((90, 230, 250), (250, 250, 250), (160, 220, 140), (200, 170, 250)))
        cv2.fillPoly(img, [pts], colour, aa)
    else:  # paper: a sheet lying over a corner of the card, sticking out past its edge
        corner = rng.choice(((0, 0), (856, 0), (0, 540), (856, 540)))
        w, h = rng.uniform(300, 420), rng.uniform(200, 300)
        cx = corner[0] + (w * 0.3 if corner[0] == 0 else -w * 0.3)
        cy = corner[1] + (h * 0.3 if corner[1] == 0 else -h * 0.3)
        rect = ((ox + cx * s, oy + cy * s), (w * s, h * s), rng.uniform(-30, 30))
        pts = cv2.boxPoints(rect).astype(np.int32)
        cv2.fillPoly(shape, [pts], 255, aa)
        cv2.fillPoly(img, [pts], (238, 240, 242), aa)
        for k in range(4):  # some printed lines on it
            y = rect[0][1] - rect[1][1] * 0.3 + k * rect[1][1] * 0.15
            cv2.line(
                img,
                (int(rect[0][0] - rect[1][0] * 0.35), int(y)),
                (int(rect[0][0] + rect[1][0] * 0.3), int(y)),
                (120, 120, 120),
                max(1, int(3 * s)),
                aa,
            )
    plane.alpha = np.maximum(plane.alpha, shape.astype(np.float32) / 255.0)
    ys, xs = np.nonzero(shape)
    box = (
        max(0, int((xs.min() - ox) / s)),
        max(0, int((ys.min() - oy) / s)),
        min(layout.CARD_WIDTH, int((xs.max() - ox) / s)),
        min(layout.CARD_HEIGHT, int((ys.max() - oy) / s)),
    )
    covered = tuple(name for name, b in _field_boxes(side).items() if _overlap(box, b) > 0.15)
    return box, covered


def photocopy(plane: Plane, mode: Photocopy, rng: random.Random) -> Plane:
    """The card copied onto a sheet of paper: grey or faded colour, toner speckle, contrast loss."""
    nrng = np_rng(rng)
    card = plane.img.astype(np.float32)
    if mode == "bw":
        grey = cv2.cvtColor(plane.img, cv2.COLOR_BGR2GRAY).astype(np.float32)
        # copiers push light tints to paper white and darken text
        grey = np.clip((grey - 60) * rng.uniform(1.25, 1.45) + 40, 0, 255)
        card = np.repeat(grey[..., None], 3, axis=2)
    else:
        grey = cv2.cvtColor(plane.img, cv2.COLOR_BGR2GRAY).astype(np.float32)[..., None]
        sat = rng.uniform(0.35, 0.6)
        card = grey + (card - grey) * sat
        card = np.clip((card - 30) * rng.uniform(1.1, 1.25) + 25, 0, 255)
        card[..., 0] *= rng.uniform(0.92, 1.0)  # colour copiers drift yellow
    h, w = card.shape[:2]
    paper_tone = rng.uniform(232, 248)
    margin = int(w * 0.18)
    sheet = np.full((h + 2 * margin, w + 2 * margin, 3), paper_tone, np.float32)
    ys, xs = slice(margin, margin + h), slice(margin, margin + w)
    a = plane.alpha[..., None]
    sheet[ys, xs] = sheet[ys, xs] * (1 - a) + np.minimum(card, paper_tone) * a
    # the card's outline, which copiers print as a faint grey line
    edge = cv2.morphologyEx(
        (plane.alpha > 0.5).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)
    )
    sheet[ys, xs][edge > 0] *= 0.7
    # paper texture (low-frequency) and toner speckle (sparse dark dots)
    tex = cv2.resize(
        nrng.normal(0, 4, (sheet.shape[0] // 16 + 1, sheet.shape[1] // 16 + 1)).astype(np.float32),
        (sheet.shape[1], sheet.shape[0]),
    )
    sheet += tex[..., None]
    speck = nrng.random(sheet.shape[:2]) < rng.uniform(0.0008, 0.002)
    speck = cv2.dilate(speck.astype(np.uint8), np.ones((2, 2), np.uint8)) > 0
    sheet[speck] = nrng.uniform(20, 90, (int(speck.sum()), 1))
    sheet += nrng.standard_normal(sheet.shape, dtype=np.float32) * 3
    sheet = cv2.GaussianBlur(sheet, (0, 0), 0.8)
    alpha = np.ones(sheet.shape[:2], np.float32)
    glare = None
    if plane.glare is not None:
        glare = np.zeros(sheet.shape[:2], np.float32)
        glare[ys, xs] = plane.glare
    return Plane(
        np.clip(sheet, 0, 255).astype(np.uint8),
        alpha,
        (plane.card_xy[0] + margin, plane.card_xy[1] + margin),
        plane.card_scale,
        glare,
    )


def screen(plane: Plane, bezel: bool, rng: random.Random) -> Plane:
    """The card shown on a screen: an app background around it, optionally the device's bezel."""
    h, w = plane.img.shape[:2]
    mx, my = int(w * rng.uniform(0.05, 0.12)), int(h * rng.uniform(0.08, 0.2))
    bz = int(w * rng.uniform(0.025, 0.05)) if bezel else 0
    sh, sw = h + 2 * my, w + 2 * mx
    tone = rng.choice((rng.uniform(20, 45), rng.uniform(225, 250)))
    out = np.zeros((sh + 2 * bz, sw + 2 * bz, 3), np.float32)
    out[:] = (18, 18, 20)
    display = np.full((sh, sw, 3), tone, np.float32)
    a = plane.alpha[..., None]
    display[my : my + h, mx : mx + w] = display[my : my + h, mx : mx + w] * (1 - a) + plane.img * a
    # screens lift blacks and cast blue; a little gamma
    display = 25 + display * 0.88
    display[..., 0] *= rng.uniform(1.0, 1.08)
    out[bz : bz + sh, bz : bz + sw] = display
    glare = None
    if plane.glare is not None:
        glare = np.zeros(out.shape[:2], np.float32)
        glare[bz + my : bz + my + h, bz + mx : bz + mx + w] = plane.glare
    alpha = np.ones(out.shape[:2], np.float32)
    return Plane(
        np.clip(out, 0, 255).astype(np.uint8),
        alpha,
        (plane.card_xy[0] + bz + mx, plane.card_xy[1] + bz + my),
        plane.card_scale,
        glare,
    )


def subpixel_grid(plane: Plane, period: float, rng: random.Random) -> None:
    """RGB stripes and a dark pixel grid at the screen's pixel pitch, in the screen's plane."""
    h, w = plane.img.shape[:2]
    x = np.arange(w, dtype=np.float32)
    y = np.arange(h, dtype=np.float32)
    depth = rng.uniform(0.25, 0.4)
    img = plane.img.astype(np.float32)
    for c, channel in enumerate((0, 1, 2)):  # B, G, R stripes side by side within each pixel
        phase = 2 * np.pi * (x / period - (2 - c) / 3)
        img[..., channel] *= (1 - depth) + depth * (0.5 + 0.5 * np.cos(phase))[None, :]
    rows = 0.82 + 0.18 * (0.5 + 0.5 * np.cos(2 * np.pi * y / period))
    img *= rows[:, None, None]
    plane.img = np.clip(img * 1.15, 0, 255).astype(np.uint8)


def moire(img: FloatImg, mask: FloatImg, rng: random.Random) -> None:
    """Interference bands of the screen's pixel grid with the camera's, at several angles/scales."""
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    bands = np.zeros((h, w), np.float32)
    for _ in range(rng.randint(2, 3)):
        ang = rng.uniform(0, math.pi)
        period = rng.uniform(5, 28)
        bend = rng.uniform(0, 6)
        u = x * math.cos(ang) + y * math.sin(ang)
        v = -x * math.sin(ang) + y * math.cos(ang)
        bands += np.sin(2 * math.pi * u / period + bend * np.sin(v / rng.uniform(80, 250)))
    amp = rng.uniform(7, 14)
    img += (bands * amp * mask)[..., None]
    # a broad screen glare: the room's light reflected off the glass
    gx, gy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    r2 = ((x - gx) / (w * rng.uniform(0.2, 0.4))) ** 2 + ((y - gy) / (h * rng.uniform(0.2, 0.4))) ** 2
    img += (np.exp(-r2) * rng.uniform(25, 55) * mask)[..., None]
