"""The scene around the card: backgrounds and uneven light (no Django imports)."""

from __future__ import annotations

import math
import random
from typing import Literal

import cv2
import numpy as np

from onboarding.ocr.specimens.effects import FloatImg, Image8, np_rng

__all__ = ["Background", "Lighting", "background", "lighting"]

Background = Literal["plain", "wood", "cluttered"]
Lighting = Literal["even", "gradient", "vignette", "shadow"]


def background(kind: Background, size: tuple[int, int], rng: random.Random) -> FloatImg:
    w, h = size
    nrng = np_rng(rng)
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


def lighting(kind: Lighting, size: tuple[int, int], rng: random.Random) -> FloatImg | None:
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
