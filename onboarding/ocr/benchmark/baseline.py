"""The generic baseline the engine is measured against (issue 3 point 8). No Django imports.

RapidOCR's default full pipeline (detection, angle classification, recognition) on the whole photo,
then keyword and regex parsing of the text lines into the eight fields: what a team would get by
wiring a general-purpose OCR library to a few regular expressions.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import cv2
import numpy as np

from onboarding.ocr.engine.types import IdCardFields

__all__ = ["Baseline", "parse_lines"]

_ID_RE = re.compile(r"\d{17}[\dXx]")
_BIRTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_VALID_RE = re.compile(r"(\d{4})[.\-](\d{2})[.\-](\d{2})\s*[-—~至]+\s*(\d{4}[.\-]\d{2}[.\-]\d{2}|长期)")
_LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码", "签发机关", "有效期限")


def _after(label: str, line: str) -> str:
    return line.split(label, 1)[1].strip(" :：") if label in line else ""


def parse_lines(lines: list[str]) -> IdCardFields:
    """Keyword and regex parsing of OCR lines (in the pipeline's order) into the contract fields."""
    fields = IdCardFields()
    text = [ln.replace(" ", "") for ln in lines if ln.strip()]
    joined = "".join(text)
    if m := _ID_RE.search(joined):
        fields.id_num = m.group(0).upper()
    if m := _BIRTH_RE.search(joined):
        fields.birth = f"{int(m.group(1))}/{int(m.group(2))}/{int(m.group(3))}"
    if m := _VALID_RE.search(joined):
        fields.valid_date = f"{m.group(1)}.{m.group(2)}.{m.group(3)}-{m.group(4).replace('-', '.')}"
    if m := re.search(r"性别([男女])", joined):
        fields.sex = m.group(1)
    if m := re.search(r"民族([\u4e00-\u9fff]{1,4})", joined):
        nation = m.group(1)
        for label in _LABELS:
            nation = nation.split(label, 1)[0]
        fields.nation = nation.removesuffix("族")
    for i, line in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if "姓名" in line and not fields.name:
            fields.name = _after("姓名", line) or nxt
        if "签发机关" in line and not fields.authority:
            fields.authority = _after("签发机关", line) or nxt
        if "住址" in line and not fields.address:
            parts = [_after("住址", line)]
            for follow in text[i + 1 : i + 5]:
                if "公民身份号码" in follow or _ID_RE.search(follow) or any(lb in follow for lb in _LABELS):
                    break
                parts.append(follow)
            fields.address = "".join(parts)
    return fields


class Baseline:
    """RapidOCR's default pipeline, loaded once per instance (thread-safe lazy load)."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from rapidocr import RapidOCR

                    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
                    self._engine = RapidOCR(params={"Global.log_level": "error"})
        return self._engine

    def lines(self, image: bytes) -> list[str]:
        """The text lines of the whole photo, in the pipeline's reading order."""
        img = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            return []
        out = self._load()(img)
        return [str(t) for t in (out.txts or ())]

    def read(self, image: bytes) -> IdCardFields:
        """The eight fields as a generic OCR + regex pipeline reads them."""
        return parse_lines(self.lines(image))
