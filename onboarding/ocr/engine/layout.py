"""Where things are printed on a second-generation resident ID card (GA 490-2013 layout).

Boxes are in the canonical frame of a rectified card, 856 x 540 px (10 px per mm of the 85.6 x 54 mm
ID-1 card), as (x0, y0, x1, y1). Real cards drift by a millimetre or two from print run to print run,
so readers should search a little around these boxes rather than crop them blindly.
"""

from __future__ import annotations

CARD_WIDTH = 856
CARD_HEIGHT = 540
CARD_ASPECT = 85.6 / 54.0

Box = tuple[int, int, int, int]

# Front (人像面). Labels sit at x≈70; values start at x≈160.
FRONT_LABELS: dict[str, Box] = {
    "姓名": (60, 50, 150, 100),
    "性别": (60, 115, 150, 160),
    "民族": (290, 115, 380, 160),
    "出生": (60, 180, 150, 225),
    "住址": (60, 245, 150, 290),
    "公民身份号码": (60, 430, 270, 480),
}
FRONT_VALUES: dict[str, Box] = {
    "Name": (155, 45, 540, 105),
    "Sex": (155, 110, 280, 165),
    "Nation": (385, 110, 540, 165),
    "Birth": (155, 175, 540, 230),  # "1987 年 1 月 1 日"
    "Address": (155, 240, 540, 410),  # up to four lines, ≈40 px apart
    "IdNum": (280, 420, 820, 490),
}
PORTRAIT: Box = (560, 60, 800, 390)

# Back (国徽面).
EMBLEM: Box = (50, 40, 210, 210)
BACK_TITLE: Box = (260, 60, 800, 140)  # 中华人民共和国
BACK_SUBTITLE: Box = (240, 150, 810, 260)  # 居民身份证
BACK_LABELS: dict[str, Box] = {
    "签发机关": (160, 365, 310, 410),
    "有效期限": (160, 440, 310, 485),
}
BACK_VALUES: dict[str, Box] = {
    "Authority": (315, 355, 830, 420),
    "ValidDate": (315, 430, 830, 495),
}
