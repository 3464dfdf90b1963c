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
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide, ReflectPosition, WarnCode
from onboarding.ocr.specimens.card import CARD_H, CARD_W, CardVariant, draw_card
from onboarding.ocr.specimens.effects import (
    OCCLUDERS,
    FloatImg,
    Image8,
    Occluder,
    Photocopy,
    Plane,
    add_glare,
    card_plane,
    downscale,
    moire,
    occlude,
    photocopy,
    screen,
    subpixel_grid,
)
from onboarding.ocr.specimens.identity import Identity, random_identity
from onboarding.ocr.specimens.scene import Background, Lighting, background, lighting

__all__ = [
    "OCCLUDERS",
    "Photo",
    "PhotoConditions",
    "photograph",
    "random_conditions",
    "specimen_photo",
]

Point = tuple[float, float]
SecondCard = Literal["other_side", "same_side"]


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
# Putting it together: the scene, the camera


def _composite(
    scene: FloatImg,
    plane: Plane,
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
    scene = background(c.background, size, rng)

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
        plane = card_plane(card_img, margin=int(CARD_W * 0.25) if c.occluder and index == 0 else 8)
        if index == 0 and c.glare:
            glare_regions = add_glare(plane, card_side, c.glare_target, rng)
        if index == 0 and c.occluder is not None:
            occluder_box, occluded = occlude(plane, card_side, c.occluder, rng)
        # draw at about the resolution it will have in the photo (sharper than warping 1712 px down)
        edge = max(float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[2] - quad[3])))
        plane = downscale(plane, min(1.0, edge / CARD_W * 1.25))
        if c.photocopy is not None:
            plane = photocopy(plane, c.photocopy, rng)
        if c.screen:
            plane = screen(plane, c.screen_bezel, rng)
            subpixel_grid(
                plane, period=rng.uniform(2.6, 4.2) * max(1.0, CARD_W * plane.card_scale / edge), rng=rng
            )
        mask, glare = _composite(scene, plane, quad, size, shadow=not c.screen)
        mask_total = np.maximum(mask_total, mask)
        if c.screen:
            screen_mask = np.maximum(screen_mask, mask)
        if glare is not None:
            glare_total = np.maximum(glare_total, glare)

    light = lighting(c.lighting, size, rng)
    if light is not None:
        scene *= light[..., None]
    if c.screen:
        moire(scene, screen_mask, rng)
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
    plane = downscale(card_plane(card_bgr, margin=8), card_w / CARD_W * 1.25)
    if c.photocopy is not None:
        plane = photocopy(plane, c.photocopy, rng)
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
