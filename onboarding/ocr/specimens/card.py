"""Drawing specimen resident ID cards (both sides) at twice the canonical layout (no Django imports).

Every card is marked 样本 and carries a drawn cartoon portrait and a drawn stand-in emblem, never a
real face or the real emblem artwork. Positions follow ``onboarding.ocr.engine.layout`` scaled by
two, with the millimetre-level drift and font-size drift of real print runs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens.identity import Identity

__all__ = [
    "CARD_SCALE",
    "SPECIMEN_MARK_BOX",
    "CardVariant",
    "draw_card",
    "font",
]

# OpenCV's stubs type every result as a generic array, so images are typed loosely here.
Image8 = NDArray[Any]  # BGR uint8

CARD_SCALE = 2  # drawn at 2x the canonical 856x540 frame
CARD_W = layout.CARD_WIDTH * CARD_SCALE
CARD_H = layout.CARD_HEIGHT * CARD_SCALE

# Where the 样本 stamp goes, in the canonical frame: the top-right corner, above the portrait and
# the titles, away from every field so it never overlaps a value.
SPECIMEN_MARK_BOX: layout.Box = (700, 6, 846, 58)

_NOTO = "/usr/share/fonts/opentype/noto/"
_FONTS = {
    "sans": (_NOTO + "NotoSansCJK-Regular.ttc", 2),  # face 2 = Noto Sans CJK SC
    "sans_bold": (_NOTO + "NotoSansCJK-Bold.ttc", 2),
    "serif": (_NOTO + "NotoSerifCJK-Regular.ttc", 2),
    "serif_bold": (_NOTO + "NotoSerifCJK-Bold.ttc", 2),
    "ocrb": ("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0),
}
FontName = Literal["sans", "sans_bold", "serif", "serif_bold", "ocrb"]

LABEL_RGB = (72, 106, 150)  # the bluish grey of the printed labels
VALUE_RGB = (20, 20, 22)
STAMPS = ("复印无效", "禁止复印")


@lru_cache(maxsize=256)
def font(name: FontName, size: int) -> ImageFont.FreeTypeFont:
    """A cached Pillow font; ``size`` in pixels of the 2x drawing."""
    path, index = _FONTS[name]
    return ImageFont.truetype(path, size, index=index)


@dataclass(frozen=True)
class CardVariant:
    """How a drawn card departs from a genuine one; fraud detectors are measured against this.

    ``pasted_field``: that contract field is re-typed in another font, size and offset on a patch
    with its own noise and JPEG history. ``stamp``: 复印无效 or 禁止复印 printed across
    ``stamp_field`` (a contract field of the drawn side).
    """

    temporary: bool = False
    pasted_field: str | None = None
    stamp: str | None = None
    stamp_field: str | None = None
    stamp_color: Literal["red", "grey"] = "red"

    @property
    def genuine(self) -> bool:
        return not (self.temporary or self.pasted_field)


def _s(v: float) -> int:
    return round(v * CARD_SCALE)


@lru_cache(maxsize=8)
def _background(side: CardSide, temporary: bool, seed: int) -> Image8:
    """A pale guilloche-like pattern of interfering waves (cached: drawing it is the slow part)."""
    rng = np.random.default_rng(seed + (17 if side is CardSide.BACK else 0) + (101 if temporary else 0))
    h, w = CARD_H // 2, CARD_W // 2  # drawn at half size, the lines are soft anyway
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([236, 240, 246] if side is CardSide.FRONT else [238, 242, 245], np.float32)  # BGR
    if temporary:
        base = np.array([214, 238, 246], np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    colours = [np.array([205, 175, 150], np.float32), np.array([190, 175, 225], np.float32)]
    for k in range(4):
        f1, f2 = rng.uniform(0.008, 0.02, 2)
        amp = rng.uniform(15, 40)
        phase = rng.uniform(0, 6.28)
        wave = np.sin(x * f1 + phase) * amp + np.sin(x * f2 * 0.5 + phase * 2) * amp * 0.5
        lines = np.abs(np.sin((y + wave) * rng.uniform(0.18, 0.3) + k)) ** 14
        colour = colours[k % 2]
        img += lines[..., None] * (colour - base) * 0.22
    # a large soft radial rosette, as real cards have behind the fields
    cx, cy = w * rng.uniform(0.3, 0.6), h * rng.uniform(0.4, 0.7)
    r = np.hypot(x - cx, y - cy)
    ang = np.arctan2(y - cy, x - cx)
    ros = np.abs(np.sin(r * 0.09 + 6 * np.sin(ang * 8))) ** 16
    img += ros[..., None] * (colours[0] - base) * 0.25
    out = cv2.resize(np.clip(img, 0, 255).astype(np.uint8), (CARD_W, CARD_H), interpolation=cv2.INTER_LINEAR)
    return out


def _spaced(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: tuple[int, ...],
    *,
    spacing: float = 0.0,
) -> float:
    """Draw ``text`` one character at a time with extra spacing; returns the end x."""
    x, y = xy
    for ch in text:
        draw.text((x, y), ch, font=fnt, fill=fill)
        x += fnt.getlength(ch) + spacing
    return x - spacing


def _fit_spacing(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> float:
    raw = sum(fnt.getlength(ch) for ch in text)
    return max(0.0, (width - raw) / max(len(text) - 1, 1))


def _v_top(box: layout.Box, fnt: ImageFont.FreeTypeFont, dy: float) -> float:
    """The y at which to draw so CJK glyphs sit vertically centred in the canonical box."""
    top = (box[1] + box[3]) / 2 * CARD_SCALE - fnt.size * 0.5
    # Noto CJK glyph bodies span roughly 0.12..1.0 em below the draw origin.
    return top - fnt.size * 0.12 + dy


def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and fnt.getlength(current + ch) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    if len(lines) > max_lines:  # never lose text: squeeze the rest into the last line
        lines = [*lines[: max_lines - 1], "".join(lines[max_lines - 1 :])]
    return lines


class _Jitter:
    """Per-card print drift: one card-wide shift plus a small per-field one, within ±1.5 mm."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.gx = rng.uniform(-9, 9)
        self.gy = rng.uniform(-7, 7)
        self.size = rng.uniform(0.96, 1.04)

    def dxy(self) -> tuple[float, float]:
        return (_s(self.gx + self.rng.uniform(-5, 5)), _s(self.gy + self.rng.uniform(-4, 4)))

    def fsize(self, canonical: float) -> int:
        return _s(canonical * self.size * self.rng.uniform(0.985, 1.015))


def _value_text(identity: Identity, field_name: str) -> str:
    return identity.contract_fields()[field_name]


def _draw_front_value(
    draw: ImageDraw.ImageDraw,
    identity: Identity,
    field_name: str,
    jit: _Jitter,
    *,
    font_name: FontName | None = None,
    size_factor: float = 1.0,
) -> None:
    box = layout.FRONT_VALUES[field_name]
    dx, dy = jit.dxy()
    x0 = _s(box[0] + 8) + dx
    if field_name == "IdNum":
        fnt = font(font_name or "ocrb", round(jit.fsize(36) * size_factor))
        # the number is printed with wide letter spacing across most of the box
        spacing = _fit_spacing(identity.id_num, fnt, _s(490) * size_factor)
        _spaced(
            draw,
            (_s(box[0] + 20) + dx, _v_top(box, fnt, dy) + _s(3)),
            identity.id_num,
            fnt,
            VALUE_RGB,
            spacing=spacing,
        )
        return
    fnt = font(font_name or "sans", round(jit.fsize(30 if field_name != "Name" else 32) * size_factor))
    if field_name == "Name":
        _spaced(draw, (x0, _v_top(box, fnt, dy)), identity.name, fnt, VALUE_RGB, spacing=_s(1))
    elif field_name == "Sex":
        draw.text((x0, _v_top(box, fnt, dy)), identity.sex, font=fnt, fill=VALUE_RGB)
    elif field_name == "Nation":
        draw.text((x0, _v_top(box, fnt, dy)), identity.nation, font=fnt, fill=VALUE_RGB)
    elif field_name == "Birth":
        # "1987 年 1 月 1 日": numbers and units in fixed columns, as the card prints them
        y = _v_top(box, fnt, dy)
        b = identity.birth
        cols = [
            (0, str(b.year)),
            (82, "年"),
            (128, str(b.month)),
            (168, "月"),
            (208, str(b.day)),
            (248, "日"),
        ]
        for col, text in cols:
            w = fnt.getlength(text)
            cx = x0 + _s(col)
            if text.isdigit() and len(text) <= 2:
                cx = x0 + _s(col) + (_s(30) - w) / 2  # month/day centred in a two-digit slot
            draw.text((cx, y), text, font=fnt, fill=VALUE_RGB)
    elif field_name == "Address":
        # eleven CJK characters a line whatever the drift of the font size, so 40 fit in four lines
        lines = _wrap(identity.address, fnt, fnt.size * 11 + 2, 4)
        y = _v_top((box[0], box[1], box[2], box[1] + 45), fnt, dy)
        for line in lines:
            draw.text((x0, y), line, font=fnt, fill=VALUE_RGB)
            y += _s(40) * jit.size
    else:
        raise ValueError(f"not a front field: {field_name}")


def _draw_back_value(
    draw: ImageDraw.ImageDraw,
    identity: Identity,
    field_name: str,
    jit: _Jitter,
    *,
    font_name: FontName | None = None,
    size_factor: float = 1.0,
) -> None:
    box = layout.BACK_VALUES[field_name]
    text = _value_text(identity, field_name)
    dx, dy = jit.dxy()
    fnt = font(font_name or "sans", round(jit.fsize(30) * size_factor))
    limit = _s(box[2] - box[0] - 14)
    while fnt.getlength(text) > limit and fnt.size > 20:  # long authorities print smaller
        fnt = font(font_name or "sans", fnt.size - 2)
    draw.text((_s(box[0] + 8) + dx, _v_top(box, fnt, dy)), text, font=fnt, fill=VALUE_RGB)


def _portrait(img: Image8, rng: random.Random) -> None:
    """A cartoon silhouette with plain shapes (never a real face)."""
    x0, y0, x1, y1 = (_s(v) for v in layout.PORTRAIT)
    w, h = x1 - x0, y1 - y0
    canvas = np.full((h, w, 3), (250, 250, 248), np.uint8)
    skin = (rng.randint(150, 190), rng.randint(175, 205), rng.randint(215, 240))
    hair = (rng.randint(15, 45),) * 3
    cloth = (rng.randint(40, 140), rng.randint(40, 120), rng.randint(30, 110))
    cx = w // 2 + rng.randint(-8, 8)
    head_cy, head_rx, head_ry = int(h * 0.40), int(w * 0.24), int(h * 0.22)
    aa = cv2.LINE_AA
    cv2.ellipse(canvas, (cx, int(h * 1.02)), (int(w * 0.48), int(h * 0.30)), 0, 180, 360, cloth, -1, aa)
    cv2.rectangle(
        canvas, (cx - int(w * 0.07), int(h * 0.55)), (cx + int(w * 0.07), int(h * 0.75)), skin, -1, aa
    )
    cv2.ellipse(canvas, (cx, head_cy - int(h * 0.02)), (head_rx + 8, head_ry + 10), 0, 180, 360, hair, -1, aa)
    cv2.ellipse(canvas, (cx, head_cy), (head_rx, head_ry), 0, 0, 360, skin, -1, aa)
    cv2.ellipse(
        canvas, (cx, head_cy - int(head_ry * 0.75)), (head_rx, int(head_ry * 0.4)), 0, 180, 360, hair, -1, aa
    )
    eye_y = head_cy - int(head_ry * 0.05)
    for ex in (cx - int(head_rx * 0.4), cx + int(head_rx * 0.4)):
        cv2.circle(canvas, (ex, eye_y), max(3, w // 60), (40, 40, 40), -1, aa)
    cv2.ellipse(
        canvas,
        (cx, head_cy + int(head_ry * 0.45)),
        (int(head_rx * 0.3), int(head_ry * 0.1)),
        0,
        0,
        180,
        (80, 80, 150),
        3,
        aa,
    )
    img[y0:y1, x0:x1] = canvas


def _star(cx: float, cy: float, r: float, rot: float = -math.pi / 2) -> NDArray[np.int32]:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.38
        a = rot + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return np.array(pts, np.int32)


def _emblem(img: Image8) -> None:
    """A stand-in for the emblem: a red disc with a gold rim, five gold stars and a gate outline."""
    x0, y0, x1, y1 = (_s(v) for v in layout.EMBLEM)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    r = min(x1 - x0, y1 - y0) // 2 - 4
    gold = (40, 180, 230)
    red = (40, 30, 200)
    aa = cv2.LINE_AA
    cv2.circle(img, (cx, cy), r, gold, -1, aa)
    cv2.circle(img, (cx, cy), int(r * 0.86), red, -1, aa)
    bx, by = cx - r * 0.28, cy - r * 0.3
    cv2.fillPoly(img, [_star(bx, by, r * 0.24)], gold, aa)
    for i in range(4):  # four small stars on an arc to the right of the big one
        a = math.radians(-65 + i * 38)
        sx, sy = bx + r * 0.48 * math.cos(a), by + r * 0.48 * math.sin(a)
        cv2.fillPoly(img, [_star(sx, sy, r * 0.085, rot=a + math.pi)], gold, aa)
    base_y = int(cy + r * 0.35)
    cv2.rectangle(img, (int(cx - r * 0.5), base_y), (int(cx + r * 0.5), base_y + int(r * 0.18)), gold, -1, aa)
    cv2.rectangle(
        img, (int(cx - r * 0.35), base_y - int(r * 0.16)), (int(cx + r * 0.35), base_y), gold, 3, aa
    )
    for k in range(-2, 3):
        xk = int(cx + k * r * 0.15)
        cv2.line(img, (xk, base_y + 4), (xk, base_y + int(r * 0.16)), red, 3, aa)


def _specimen_mark(pil: Image.Image) -> None:
    """A semi-transparent red 样本 stamp in the top-right corner, clear of every field."""
    x0, y0, x1, y1 = (_s(v) for v in SPECIMEN_MARK_BOX)
    layer = Image.new("RGBA", pil.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    colour = (210, 30, 30, 170)
    d.rounded_rectangle((x0, y0, x1, y1), radius=_s(6), outline=colour, width=_s(3))
    fnt = font("sans_bold", _s(36))
    text_w = fnt.getlength("样本")
    spacing = _s(10)
    _spaced(d, ((x0 + x1 - text_w - spacing) / 2, y0 + _s(1)), "样本", fnt, colour, spacing=spacing)
    pil.alpha_composite(layer)


def _draw_labels_front(draw: ImageDraw.ImageDraw, jit: _Jitter) -> None:
    for label, box in layout.FRONT_LABELS.items():
        fnt = font("sans_bold", jit.fsize(22))
        dx, dy = jit.dxy()
        x = _s(box[0] + 10) + dx
        if len(label) == 2:
            _spaced(draw, (x, _v_top(box, fnt, dy)), label, fnt, LABEL_RGB, spacing=_s(18))
        else:
            _spaced(draw, (x, _v_top(box, fnt, dy)), label, fnt, LABEL_RGB, spacing=_s(4))


def _stamp_box(side: CardSide, field_name: str) -> layout.Box:
    if side is CardSide.FRONT:
        return layout.FRONT_VALUES[field_name]
    return layout.BACK_VALUES[field_name]


def _overprint_stamp(pil: Image.Image, variant: CardVariant, side: CardSide, rng: random.Random) -> None:
    """复印无效 / 禁止复印 printed semi-transparently across a field, as people do on copies."""
    assert variant.stamp is not None
    field_name = variant.stamp_field or ("Address" if side is CardSide.FRONT else "Authority")
    box = _stamp_box(side, field_name)
    size = _s(rng.uniform(52, 70))
    fnt = font(rng.choice(("sans_bold", "serif_bold")), size)
    alpha = rng.randint(95, 135)
    colour = (205, 35, 35, alpha) if variant.stamp_color == "red" else (95, 95, 95, alpha)
    w = int(fnt.getlength(variant.stamp) + size * 0.6)
    h = int(size * 1.6)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    d.text((size * 0.3, size * 0.15), variant.stamp, font=fnt, fill=colour)
    if rng.random() < 0.5:
        d.rectangle((2, 2, w - 3, h - 3), outline=colour, width=_s(3))
    layer = layer.rotate(rng.uniform(-14, 14), expand=True, resample=Image.Resampling.BICUBIC)
    cx = _s((box[0] + box[2]) / 2 + rng.uniform(-30, 30))
    cy = _s((box[1] + box[3]) / 2 + rng.uniform(-10, 10))
    pil.alpha_composite(layer, (max(0, cx - layer.width // 2), max(0, cy - layer.height // 2)))


def _paste_patch(
    img: Image8,
    identity: Identity,
    side: CardSide,
    field_name: str,
    jit: _Jitter,
    rng: random.Random,
) -> None:
    """Re-type one field on a patch with its own blur, noise and JPEG history, then paste it back.

    The patch keeps the card's background (softened, as a cut-and-paste in an editor does) so it is
    not a flat box: what gives it away is the font, size, offset and the foreign noise/compression.
    """
    layer = Image.new("RGBA", (CARD_W, CARD_H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    alt: FontName = (
        rng.choice(("serif", "sans_bold")) if field_name != "IdNum" else rng.choice(("sans", "serif"))
    )
    shifted = _Jitter(rng)
    shifted.gx = jit.gx + rng.choice((-1, 1)) * rng.uniform(3, 6)
    shifted.gy = jit.gy + rng.choice((-1, 1)) * rng.uniform(2, 4)
    factor = rng.choice((rng.uniform(0.88, 0.94), rng.uniform(1.06, 1.12)))
    if side is CardSide.FRONT:
        _draw_front_value(draw, identity, field_name, shifted, font_name=alt, size_factor=factor)
    else:
        _draw_back_value(draw, identity, field_name, shifted, font_name=alt, size_factor=factor)
    bbox = layer.getbbox()
    if bbox is None:
        return
    pad = _s(rng.uniform(5, 10))
    x0, y0 = max(0, bbox[0] - pad), max(0, bbox[1] - pad)
    x1, y1 = min(CARD_W, bbox[2] + pad), min(CARD_H, bbox[3] + pad)
    base = cv2.GaussianBlur(img[y0:y1, x0:x1], (0, 0), rng.uniform(1.5, 3.0)).astype(np.float32)
    base += rng.uniform(-5, 5)
    pil = Image.fromarray(cv2.cvtColor(np.clip(base, 0, 255).astype(np.uint8), cv2.COLOR_BGR2RGB)).convert(
        "RGBA"
    )
    pil.alpha_composite(layer.crop((x0, y0, x1, y1)))
    cut = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR).astype(np.float32)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(3, 6), cut.shape)
    cut += np.asarray(noise, np.float32)
    quality = rng.randint(35, 60)
    ok, buf = cv2.imencode(".jpg", np.clip(cut, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    img[y0:y1, x0:x1] = cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _temporary_frame(draw: ImageDraw.ImageDraw, side: CardSide) -> None:
    colour = (40, 110, 60)
    draw.rectangle((_s(8), _s(8), CARD_W - _s(8), CARD_H - _s(8)), outline=colour, width=_s(3))
    draw.rectangle((_s(14), _s(14), CARD_W - _s(14), CARD_H - _s(14)), outline=colour, width=_s(1))
    if side is CardSide.FRONT:
        fnt = font("serif_bold", _s(26))
        text = "中华人民共和国临时居民身份证"
        w = fnt.getlength(text)
        draw.text(((CARD_W - w) / 2 - _s(60), _s(14)), text, font=fnt, fill=(150, 30, 30))


def draw_card(
    identity: Identity,
    side: CardSide,
    *,
    rng: random.Random,
    variant: CardVariant = CardVariant(),
) -> Image8:
    """Draw one side of a specimen card as a BGR image of 1712x1080 (the canonical frame at 2x)."""
    jit = _Jitter(rng)
    img = _background(side, variant.temporary, rng.randrange(2)).copy()
    front = side is CardSide.FRONT
    if front:
        _portrait(img, rng)
    else:
        _emblem(img)
    pil = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB)).convert("RGBA")
    draw = ImageDraw.Draw(pil)
    if variant.temporary:
        _temporary_frame(draw, side)
    fields = ("Name", "Sex", "Nation", "Birth", "Address", "IdNum") if front else ("Authority", "ValidDate")
    if variant.pasted_field is not None and variant.pasted_field not in fields:
        raise ValueError(f"{variant.pasted_field} is not printed on the {side} side")
    if front:
        _draw_labels_front(draw, jit)
        for name in fields:
            if name != variant.pasted_field:
                _draw_front_value(draw, identity, name, jit)
    else:
        title = font("serif_bold", jit.fsize(50))
        tx0, _, tx1, _ = layout.BACK_TITLE
        text = "中华人民共和国"
        dx, dy = jit.dxy()
        _spaced(
            draw,
            (_s(tx0 + 10) + dx, _v_top(layout.BACK_TITLE, title, dy)),
            text,
            title,
            VALUE_RGB,
            spacing=_fit_spacing(text, title, _s(tx1 - tx0 - 20)),
        )
        sub_text = "临时居民身份证" if variant.temporary else "居民身份证"
        sub = font("serif_bold", jit.fsize(76 if not variant.temporary else 64))
        sx0, _, sx1, _ = layout.BACK_SUBTITLE
        dx, dy = jit.dxy()
        _spaced(
            draw,
            (_s(sx0 + 10) + dx, _v_top(layout.BACK_SUBTITLE, sub, dy)),
            sub_text,
            sub,
            VALUE_RGB,
            spacing=_fit_spacing(sub_text, sub, _s(sx1 - sx0 - 20)),
        )
        for label, box in layout.BACK_LABELS.items():
            fnt = font("sans_bold", jit.fsize(22))
            dx, dy = jit.dxy()
            _spaced(draw, (_s(box[0] + 10) + dx, _v_top(box, fnt, dy)), label, fnt, LABEL_RGB, spacing=_s(4))
        for name in fields:
            if name != variant.pasted_field:
                _draw_back_value(draw, identity, name, jit)
    _specimen_mark(pil)
    out = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR)
    if variant.pasted_field is not None:
        _paste_patch(out, identity, side, variant.pasted_field, jit, rng)
    if variant.stamp is not None:
        pil = Image.fromarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB)).convert("RGBA")
        _overprint_stamp(pil, variant, side, rng)
        out = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR)
    return np.ascontiguousarray(out)
