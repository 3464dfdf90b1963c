"""Placing drawn specimen cards into phone-like photos, with every condition's ground truth.

The card (and whatever carries it: a photocopy sheet, a screen) is one plane, so a single
homography places it; effects that live on the card (glare, occluders, sub-pixel grid) are drawn in
the card's plane and follow it, effects of the camera (light, blur, noise, JPEG) are applied to the
whole frame. No Django imports.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide, ReflectPosition, WarnCode
from onboarding.ocr.specimens.card import CARD_H, CARD_SCALE, CARD_W, CardVariant, draw_card
from onboarding.ocr.specimens.identity import Identity, random_identity

__all__ = [
    "OCCLUDERS",
    "Photo",
    "PhotoConditions",
    "photograph",
    "random_conditions",
    "specimen_photo",
]

# OpenCV's stubs type every result as a generic array, so images are typed loosely here.
Image8 = NDArray[Any]  # BGR uint8
FloatImg = NDArray[Any]  # float32
Point = tuple[float, float]

Background = Literal["plain", "wood", "cluttered"]
Lighting = Literal["even", "gradient", "vignette", "shadow"]
Photocopy = Literal["bw", "color"]
Occluder = Literal["finger", "sticker", "paper"]
SecondCard = Literal["other_side", "same_side"]
OCCLUDERS: tuple[Occluder, ...] = ("finger", "sticker", "paper")


@dataclass(frozen=True)
class PhotoConditions:
    """How one photo is taken; every default gives a clean, square-on, well-lit phone photo."""

    rotation: float = 0.0  # degrees, clockwise in the image, any value
    tilt: float = 0.0  # perspective: degrees the card plane leans away from the camera (≤ ~30)
    tilt_direction: float = 0.0  # degrees: the in-plane axis about which it leans
    card_fraction: float = 0.75  # the card's bounding box over the frame, in its limiting dimension
    background: Background = "plain"
    lighting: Lighting = "even"
    jpeg_quality: int = 92
    blur: float = 0.0  # Gaussian sigma in photo pixels (defocus)
    noise: float = 0.0  # sensor noise sigma in grey levels
    photocopy: Photocopy | None = None
    screen: bool = False  # a re-shoot of the card shown on a screen
    screen_bezel: bool = False
    glare: bool = False
    # where the glare goes; None, or a region the side lacks (the emblem on the front): anywhere
    glare_target: ReflectPosition | None = None
    cut_border: bool = False  # part of the card outside the frame
    occluder: Occluder | None = None  # something covering part of the card inside the frame
    second_card: SecondCard | None = None
    scan: bool = False  # a flat scan, the card only ~450 px wide
    card: CardVariant = field(default_factory=CardVariant)


@dataclass(frozen=True)
class Photo:
    """A generated photo and the ground truth of how it was made."""

    jpeg: bytes
    corners: list[Point]  # the card's corners in the photo, clockwise from the card's top-left
    conditions: PhotoConditions
    side: CardSide
    size: tuple[int, int]  # (width, height)
    border_complete: bool  # all four corners inside the frame
    glare_regions: tuple[ReflectPosition, ...] = ()
    occluded_fields: tuple[str, ...] = ()  # contract fields the occluder covers (may be none)
    occluder_box: layout.Box | None = None  # canonical-frame box of the occluder over the card
    stamp_field: str | None = None
    second_side: CardSide | None = None
    second_corners: list[Point] | None = None

    def image(self) -> Image8:
        """The photo decoded to BGR."""
        out = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert out is not None
        return out

    def expected_warnings(self) -> set[WarnCode]:
        """Image-evidence warnings this photo should raise (dates are the identity's business)."""
        c = self.conditions
        codes: set[WarnCode] = set()
        if c.photocopy is not None:
            codes.add(WarnCode.COPY)
            if c.photocopy == "bw":
                codes.add(WarnCode.COPY_BLACK_WHITE)
        if c.screen:
            codes.add(WarnCode.RESHOOT)
        if not self.border_complete:
            codes.add(WarnCode.BORDER_INCOMPLETE)
        if c.occluder is not None:
            codes.add(WarnCode.OCCLUSION)
        if self.glare_regions:
            codes.add(WarnCode.REFLECTION)
        if c.card.pasted_field is not None:
            codes.add(WarnCode.PS_EDITED)
        if c.card.temporary:
            codes.add(WarnCode.TEMPORARY_ID)
        return codes


# --------------------------------------------------------------------------------------------------
# The card's plane: rounded corners, margins for things that stick out (fingers, paper, screens)


@dataclass
class _Plane:
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


def _card_plane(card: Image8, margin: int) -> _Plane:
    h, w = card.shape[:2]
    img = np.zeros((h + 2 * margin, w + 2 * margin, 3), np.uint8)
    img[margin : margin + h, margin : margin + w] = card
    alpha = np.zeros(img.shape[:2], np.float32)
    alpha[margin : margin + h, margin : margin + w] = _rounded_mask(w, h, int(31.8 * CARD_SCALE))
    # the card's edge: a slightly darker rim, as a laminated card shows
    rim = (alpha > 0).astype(np.uint8) - cv2.erode((alpha > 0.5).astype(np.uint8), np.ones((5, 5), np.uint8))
    img[rim > 0] = (img[rim > 0] * 0.8).astype(np.uint8)
    return _Plane(img, alpha, (margin, margin), 1.0)


def _downscale(plane: _Plane, k: float) -> _Plane:
    if k >= 0.95:
        return plane
    size = (max(1, round(plane.img.shape[1] * k)), max(1, round(plane.img.shape[0] * k)))
    glare = None if plane.glare is None else cv2.resize(plane.glare, size, interpolation=cv2.INTER_AREA)
    return _Plane(
        cv2.resize(plane.img, size, interpolation=cv2.INTER_AREA),
        cv2.resize(plane.alpha, size, interpolation=cv2.INTER_AREA),
        (plane.card_xy[0] * k, plane.card_xy[1] * k),
        plane.card_scale * k,
        glare,
    )


# --------------------------------------------------------------------------------------------------
# Effects in the card's plane


def _np_rng(rng: random.Random) -> np.random.Generator:
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


def _glare(
    plane: _Plane, side: CardSide, target: ReflectPosition | None, rng: random.Random
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


def _occlude(
    plane: _Plane, side: CardSide, kind: Occluder, rng: random.Random
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


def _photocopy(plane: _Plane, mode: Photocopy, rng: random.Random) -> _Plane:
    """The card copied onto a sheet of paper: grey or faded colour, toner speckle, contrast loss."""
    nrng = _np_rng(rng)
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
    return _Plane(
        np.clip(sheet, 0, 255).astype(np.uint8),
        alpha,
        (plane.card_xy[0] + margin, plane.card_xy[1] + margin),
        plane.card_scale,
        glare,
    )


def _screen(plane: _Plane, bezel: bool, rng: random.Random) -> _Plane:
    """The card shown on a screen: an app background around it, optionally the device's bezel."""
    h, w = plane.img.shape[:2]
    mx, my = int(w * rng.uniform(0.05, 0.12)), int(h * rng.uniform(0.08, 0.2))
    bz = int(w * rng.uniform(0.025, 0.05)) if bezel else 0
    sh, sw = h + 2 * my, w + 2 * mx
    tone = rng.choice((rng.uniform(20, 45), rng.uniform(225, 250)))
    out = np.zeros((sh + 2 * bz, sw + 2 * bz, 3), np.float32)
    out[:] = (18, 18, 20)
    screen = np.full((sh, sw, 3), tone, np.float32)
    a = plane.alpha[..., None]
    screen[my : my + h, mx : mx + w] = screen[my : my + h, mx : mx + w] * (1 - a) + plane.img * a
    # screens lift blacks and cast blue; a little gamma
    screen = 25 + screen * 0.88
    screen[..., 0] *= rng.uniform(1.0, 1.08)
    out[bz : bz + sh, bz : bz + sw] = screen
    glare = None
    if plane.glare is not None:
        glare = np.zeros(out.shape[:2], np.float32)
        glare[bz + my : bz + my + h, bz + mx : bz + mx + w] = plane.glare
    alpha = np.ones(out.shape[:2], np.float32)
    return _Plane(
        np.clip(out, 0, 255).astype(np.uint8),
        alpha,
        (plane.card_xy[0] + bz + mx, plane.card_xy[1] + bz + my),
        plane.card_scale,
        glare,
    )


def _subpixel_grid(plane: _Plane, period: float, rng: random.Random) -> None:
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


# --------------------------------------------------------------------------------------------------
# Geometry


def _project(c: PhotoConditions, aspect: float) -> NDArray[np.float64]:
    """The card's four corners after tilt, perspective and rotation, in arbitrary units."""
    w, h = aspect, 1.0
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    if c.tilt:
        d = math.radians(c.tilt_direction)
        axis = np.array([math.cos(d), math.sin(d), 0.0])
        rot, _ = cv2.Rodrigues(axis * math.radians(c.tilt))
        pts = pts @ rot.T
    dist = 1.5 * w  # a phone held about a card-and-a-half away: strong but real keystone
    z = pts[:, 2] + dist
    proj = pts[:, :2] * (dist / z)[:, None]
    r = math.radians(c.rotation)
    rot2 = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    result: NDArray[np.float64] = proj @ rot2.T
    return result


def _place(
    c: PhotoConditions,
    region: tuple[float, float, float, float],
    frame: tuple[int, int],
    rng: random.Random,
    *,
    aspect: float,
) -> NDArray[np.float32]:
    """Scale and move the projected card into ``region`` of the frame (or partly out of the frame)."""
    pts = _project(c, aspect)
    x0, y0, x1, y1 = region
    margin = 3.0
    rw, rh = x1 - x0 - 2 * margin, y1 - y0 - 2 * margin
    bw = pts[:, 0].max() - pts[:, 0].min()
    bh = pts[:, 1].max() - pts[:, 1].min()
    scale = min(max(0.05, min(c.card_fraction, 1.0)) * min(rw / bw, rh / bh), 1e9)
    pts = pts * scale
    pts -= pts.min(axis=0)
    bw, bh = pts[:, 0].max(), pts[:, 1].max()
    tx = rng.uniform(x0 + margin, max(x0 + margin, x1 - margin - bw))
    ty = rng.uniform(y0 + margin, max(y0 + margin, y1 - margin - bh))
    if c.cut_border:
        fw, fh = frame
        edge = rng.choice(("left", "right", "top", "bottom"))
        out = rng.uniform(0.1, 0.3)
        if edge == "left":
            tx = -bw * out
        elif edge == "right":
            tx = fw - bw * (1 - out)
        elif edge == "top":
            ty = -bh * out
        else:
            ty = fh - bh * (1 - out)
    pts += (tx, ty)
    placed: NDArray[np.float32] = pts.astype(np.float32)
    return placed


# --------------------------------------------------------------------------------------------------
# The scene: background, light, camera


def _background(kind: Background, size: tuple[int, int], rng: random.Random) -> FloatImg:
    w, h = size
    nrng = _np_rng(rng)
    if kind == "wood":
        sw, sh = w // 2, h // 2
        y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
        ang = rng.uniform(-0.3, 0.3)
        u = x * math.cos(ang) + y * math.sin(ang)
        v = -x * math.sin(ang) + y * math.cos(ang)
        warp = cv2.resize(
            nrng.normal(0, 1, (8, 8)).astype(np.float32), (sw, sh), interpolation=cv2.INTER_CUBIC
        )
        grain = np.sin(v * rng.uniform(0.08, 0.16) + warp * 3 + np.sin(u * 0.01) * 2)
        fine = cv2.resize(nrng.normal(0, 1, (sh, sw // 8 + 1)).astype(np.float32), (sw, sh))
        base = np.array([rng.uniform(50, 90), rng.uniform(90, 130), rng.uniform(140, 185)], np.float32)
        img = base + (grain * 18 + fine * 8)[..., None] * np.array([0.6, 0.8, 1.0], np.float32)
        resized: FloatImg = cv2.resize(img.astype(np.float32), (w, h))
        return resized
    base = np.array([rng.uniform(40, 220)] * 3, np.float32) + nrng.uniform(-25, 25, 3).astype(np.float32)
    flat: FloatImg = np.empty((h, w, 3), np.float32)
    flat[:] = base
    tex = cv2.resize(nrng.normal(0, 5, (h // 8, w // 8)).astype(np.float32), (w, h))
    flat += tex[..., None]
    if kind == "cluttered":
        canvas = np.clip(flat, 0, 255).astype(np.uint8)  # cv2 draws text on 8-bit images only
        _clutter(canvas, rng)
        flat = canvas.astype(np.float32)
    return flat


_WORDS = (
    "INVOICE",
    "Total 128.00",
    "2024-05-17",
    "NO. 0042",
    "Meeting 9:30",
    "Receipt",
    "TEL 021-5566",
    "Page 3",
)


def _clutter(img: Image8, rng: random.Random) -> None:
    """Papers with print, pens, cups, keys: edges and text that are not the card."""
    h, w = img.shape[:2]
    aa = cv2.LINE_AA
    for _ in range(rng.randint(3, 7)):
        kind = rng.random()
        colour = tuple(rng.uniform(0, 255) for _ in range(3))
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        if kind < 0.4:  # a sheet of paper with lines of print
            pw, ph = rng.uniform(0.2, 0.5) * w, rng.uniform(0.2, 0.6) * h
            rect = ((cx, cy), (pw, ph), rng.uniform(-40, 40))
            pts = cv2.boxPoints(rect).astype(np.int32)
            tone = rng.uniform(215, 250)
            cv2.fillPoly(img, [pts], (tone, tone, tone), aa)
            for k in range(rng.randint(2, 6)):
                ty = int(cy - ph * 0.35 + k * ph * 0.12)
                cv2.putText(
                    img,
                    rng.choice(_WORDS),
                    (int(cx - pw * 0.4), ty),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    rng.uniform(0.5, 1.0),
                    (60, 60, 60),
                    2,
                    aa,
                )
        elif kind < 0.6:  # a pen
            length, ang = rng.uniform(0.2, 0.4) * w, rng.uniform(0, math.pi)
            p1 = (int(cx), int(cy))
            p2 = (int(cx + length * math.cos(ang)), int(cy + length * math.sin(ang)))
            cv2.line(img, p1, p2, colour, rng.randint(8, 16), aa)
        elif kind < 0.8:  # a cup or a coin seen from above
            r = int(rng.uniform(0.04, 0.12) * w)
            cv2.circle(img, (int(cx), int(cy)), r, colour, -1, aa)
            cv2.circle(img, (int(cx), int(cy)), int(r * 0.8), tuple(v * 0.8 for v in colour), 3, aa)
        else:  # a label or a phone
            rect = ((cx, cy), (rng.uniform(0.1, 0.25) * w, rng.uniform(0.08, 0.2) * h), rng.uniform(0, 90))
            cv2.fillPoly(img, [cv2.boxPoints(rect).astype(np.int32)], colour, aa)


def _lighting(kind: Lighting, size: tuple[int, int], rng: random.Random) -> FloatImg | None:
    if kind == "even":
        return None
    w, h = size
    sw, sh = w // 8, h // 8
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    x /= sw
    y /= sh
    if kind == "gradient":
        ang = rng.uniform(0, 2 * math.pi)
        t = (x - 0.5) * math.cos(ang) + (y - 0.5) * math.sin(ang)
        lo, hi = rng.uniform(0.55, 0.75), rng.uniform(1.0, 1.12)
        light = lo + (hi - lo) * (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    elif kind == "vignette":
        cx, cy = rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.65)
        r2 = (x - cx) ** 2 + (y - cy) ** 2
        light = 1.08 - rng.uniform(0.7, 1.1) * r2
    else:  # the shadow of the phone or a hand across part of the frame
        light = np.ones_like(x)
        poly = np.array(
            [[rng.uniform(-0.2, 1.2) * sw, rng.uniform(-0.2, 1.2) * sh] for _ in range(4)], np.int32
        )
        shadow = np.zeros_like(x)
        cv2.fillPoly(shadow, [poly], 1.0)
        shadow = cv2.GaussianBlur(shadow, (0, 0), max(sw, sh) * 0.04)
        light = light - shadow * rng.uniform(0.3, 0.45)
    out: FloatImg = cv2.resize(light.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return out


def _moire(img: FloatImg, mask: FloatImg, rng: random.Random) -> None:
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


def _composite(
    scene: FloatImg,
    plane: _Plane,
    quad: NDArray[np.float32],
    size: tuple[int, int],
    *,
    shadow: bool,
) -> tuple[FloatImg, FloatImg | None]:
    """Warp the plane onto the scene so its card lands on ``quad``; returns its mask and glare."""
    hom = cv2.getPerspectiveTransform(plane.card_corners(), quad)
    warped = cv2.warpPerspective(plane.img, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    mask = cv2.warpPerspective(plane.alpha, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    if shadow:  # a soft contact shadow so the card sits on the surface
        soft = cv2.GaussianBlur(mask, (0, 0), 6)
        soft = np.roll(soft, (4, 3), axis=(0, 1))
        scene *= (1 - 0.35 * soft)[..., None]
    scene[:] = scene * (1 - mask[..., None]) + warped.astype(np.float32) * mask[..., None]
    glare = None
    if plane.glare is not None:
        glare = cv2.warpPerspective(plane.glare, hom, size, flags=cv2.INTER_LINEAR)
    return mask, glare


def photograph(
    card_bgr: Image8,
    *,
    rng: random.Random,
    conditions: PhotoConditions | None = None,
    size: tuple[int, int] = (1280, 960),
    side: CardSide = CardSide.FRONT,
    second_card_bgr: Image8 | None = None,
    second_side: CardSide | None = None,
) -> Photo:
    """Photograph a drawn card (BGR, 1712x1080) under ``conditions``; the Photo records the truth.

    ``second_card_bgr`` is placed beside the first when ``conditions.second_card`` asks for two
    cards in one photo.
    """
    c = conditions or PhotoConditions()
    if c.scan:
        return _scan(card_bgr, rng=rng, conditions=c, side=side)
    w, h = size
    aspect = CARD_W / CARD_H
    scene = _background(c.background, size, rng)

    regions: list[tuple[float, float, float, float]] = [(0, 0, w, h)]
    two = c.second_card is not None and second_card_bgr is not None
    if two:
        regions = [(0, 0, w / 2, h), (w / 2, 0, w, h)] if w >= h else [(0, 0, w, h / 2), (0, h / 2, w, h)]
        if rng.random() < 0.5:
            regions.reverse()

    glare_regions: tuple[ReflectPosition, ...] = ()
    occluder_box: layout.Box | None = None
    occluded: tuple[str, ...] = ()
    mask_total = np.zeros((h, w), np.float32)
    glare_total = np.zeros((h, w), np.float32)
    corners_out: list[NDArray[np.float32]] = []
    screen_mask = np.zeros((h, w), np.float32)
    cards = [(card_bgr, side, c)]
    if two and second_card_bgr is not None:
        second_c = PhotoConditions(
            rotation=c.rotation + rng.uniform(-12, 12),
            tilt=c.tilt,
            tilt_direction=c.tilt_direction,
            card_fraction=c.card_fraction,
        )
        cards.append((second_card_bgr, second_side or side, second_c))
    for index, (card_img, card_side, cc) in enumerate(cards):
        quad = _place(cc, regions[index], size, rng, aspect=aspect)
        corners_out.append(quad)
        plane = _card_plane(card_img, margin=int(CARD_W * 0.25) if c.occluder and index == 0 else 8)
        if index == 0 and c.glare:
            glare_regions = _glare(plane, card_side, c.glare_target, rng)
        if index == 0 and c.occluder is not None:
            occluder_box, occluded = _occlude(plane, card_side, c.occluder, rng)
        # draw at about the resolution it will have in the photo (sharper than warping 1712 px down)
        edge = max(float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[2] - quad[3])))
        plane = _downscale(plane, min(1.0, edge / CARD_W * 1.25))
        if c.photocopy is not None:
            plane = _photocopy(plane, c.photocopy, rng)
        if c.screen:
            plane = _screen(plane, c.screen_bezel, rng)
            _subpixel_grid(
                plane, period=rng.uniform(2.6, 4.2) * max(1.0, CARD_W * plane.card_scale / edge), rng=rng
            )
        mask, glare = _composite(scene, plane, quad, size, shadow=not c.screen)
        mask_total = np.maximum(mask_total, mask)
        if c.screen:
            screen_mask = np.maximum(screen_mask, mask)
        if glare is not None:
            glare_total = np.maximum(glare_total, glare)

    light = _lighting(c.lighting, size, rng)
    if light is not None:
        scene *= light[..., None]
    if c.screen:
        _moire(scene, screen_mask, rng)
    if glare_regions:
        g = glare_total[..., None]
        scene[:] = scene * (1 - g) + 252 * g
    _camera(scene, c, rng)
    ok, buf = cv2.imencode(
        ".jpg", np.clip(scene, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, int(c.jpeg_quality)]
    )
    assert ok
    corners = [(float(x), float(y)) for x, y in corners_out[0]]
    inside = all(0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in corners)
    return Photo(
        jpeg=buf.tobytes(),
        corners=corners,
        conditions=c,
        side=side,
        size=(w, h),
        border_complete=inside,
        glare_regions=glare_regions,
        occluded_fields=occluded,
        occluder_box=occluder_box,
        stamp_field=_stamp_field(c.card, side),
        second_side=(second_side or side) if two else None,
        second_corners=[(float(x), float(y)) for x, y in corners_out[1]] if two else None,
    )


def _stamp_field(variant: CardVariant, side: CardSide) -> str | None:
    if variant.stamp is None:
        return None
    return variant.stamp_field or ("Address" if side is CardSide.FRONT else "Authority")


def _camera(scene: FloatImg, c: PhotoConditions, rng: random.Random) -> None:
    if c.blur > 0:
        scene[:] = cv2.GaussianBlur(scene, (0, 0), c.blur)
    if c.noise > 0:
        # luminance noise plus weaker per-channel (chroma) noise, as phone sensors show; OpenCV's
        # generator (seeded from ``rng`` for determinism) is several times faster than numpy's here
        cv2.setRNGSeed(rng.getrandbits(31))
        luma: FloatImg = np.empty(scene.shape[:2], np.float32)
        cv2.randn(luma, np.zeros(1), np.full(1, c.noise))
        chroma: FloatImg = np.empty(scene.shape, np.float32)
        cv2.randn(chroma, np.zeros(3), np.full(3, c.noise * 0.5))
        scene += luma[..., None]
        scene += chroma


def _scan(card_bgr: Image8, *, rng: random.Random, conditions: PhotoConditions, side: CardSide) -> Photo:
    """A flatbed scan: the card flat, about 450 px wide, on the scanner's white lid."""
    c = conditions
    card_w = rng.uniform(430, 470)
    card_h = card_w * CARD_H / CARD_W
    mx, my = int(rng.uniform(25, 60)), int(rng.uniform(25, 60))
    w, h = int(card_w + 2 * mx), int(card_h + 2 * my)
    scene = np.full((h, w, 3), rng.uniform(238, 252), np.float32)
    ang = math.radians(c.rotation if c.rotation else rng.uniform(-2, 2))
    base = np.array([[0, 0], [card_w, 0], [card_w, card_h], [0, card_h]], np.float64) - (
        card_w / 2,
        card_h / 2,
    )
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    quad = (base @ rot.T + (w / 2, h / 2)).astype(np.float32)
    plane = _downscale(_card_plane(card_bgr, margin=8), card_w / CARD_W * 1.25)
    if c.photocopy is not None:
        plane = _photocopy(plane, c.photocopy, rng)
    _composite(scene, plane, quad, (w, h), shadow=False)
    _camera(scene, c, rng)
    ok, buf = cv2.imencode(
        ".jpg", np.clip(scene, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, int(c.jpeg_quality)]
    )
    assert ok
    corners = [(float(x), float(y)) for x, y in quad]
    return Photo(
        jpeg=buf.tobytes(),
        corners=corners,
        conditions=c,
        side=side,
        size=(w, h),
        border_complete=all(0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in corners),
        stamp_field=_stamp_field(c.card, side),
    )


# --------------------------------------------------------------------------------------------------
# The mixes used by tests and the benchmark


def random_conditions(
    rng: random.Random, *, difficulty: Literal["clean", "realistic"] = "realistic"
) -> PhotoConditions:
    """Conditions for one photo: "realistic" is the benchmark's mix of issue 3 point 3.

    Any rotation (a share exactly or near multiples of 90°), perspective up to 30°, the card 30-100 %
    of the frame, plain/wood/cluttered backgrounds, uneven light, JPEG 60-95, mild blur and noise.
    """
    if difficulty == "clean":
        return PhotoConditions(
            rotation=rng.uniform(-5, 5),
            tilt=rng.uniform(0, 8),
            tilt_direction=rng.uniform(0, 360),
            card_fraction=rng.uniform(0.6, 0.9),
            background=rng.choice(("plain", "wood")),
            jpeg_quality=rng.randint(85, 95),
            noise=rng.uniform(0.5, 2.0),
        )
    pick = rng.random()
    if pick < 0.45:
        rotation = rng.uniform(-15, 15)
    elif pick < 0.7:
        rotation = rng.choice((90, 180, 270)) + rng.uniform(-10, 10)
    else:
        rotation = rng.uniform(0, 360)
    return PhotoConditions(
        rotation=rotation,
        tilt=rng.uniform(0, 30) if rng.random() < 0.8 else 0.0,
        tilt_direction=rng.uniform(0, 360),
        card_fraction=rng.uniform(0.3, 1.0),
        background=rng.choice(("plain", "wood", "cluttered", "cluttered")),
        lighting=rng.choice(("even", "gradient", "vignette", "shadow")),
        jpeg_quality=rng.randint(60, 95),
        blur=rng.choice((0.0, 0.0, rng.uniform(0.3, 1.2))),
        noise=rng.uniform(0.5, 4.0),
    )


def specimen_photo(
    rng: random.Random,
    side: CardSide,
    conditions: PhotoConditions | None = None,
    *,
    today: date,
    identity: Identity | None = None,
    size: tuple[int, int] = (1280, 960),
) -> tuple[Photo, Identity]:
    """Draw a random (or the given) identity's card and photograph it: the tests' one-liner."""
    c = conditions if conditions is not None else random_conditions(rng)
    person = identity or random_identity(rng, today=today)
    card = draw_card(person, side, rng=rng, variant=c.card)
    second = None
    second_side = None
    if c.second_card == "other_side":
        second_side = CardSide.BACK if side is CardSide.FRONT else CardSide.FRONT
        second = draw_card(person, second_side, rng=rng)
    elif c.second_card == "same_side":
        second_side = side
        second = draw_card(random_identity(rng, today=today), side, rng=rng)
    photo = photograph(
        card, rng=rng, conditions=c, size=size, side=side, second_card_bgr=second, second_side=second_side
    )
    return photo, person
