"""Typed inputs and outputs of the IDCardOCR engine (no Django imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import ClassVar


class CardSide(StrEnum):
    FRONT = "FRONT"  # 人像面: the side with the portrait
    BACK = "BACK"  # 国徽面: the side with the national emblem


class WarnCode(IntEnum):
    INVALID_DATE_LEGACY = -9100
    BORDER_INCOMPLETE = -9101
    COPY = -9102
    RESHOOT = -9103
    TEMPORARY_ID = -9104
    OCCLUSION = -9105
    PS_EDITED = -9106
    REFLECTION = -9107
    COPY_BLACK_WHITE = -9108
    INVALID_DATE = -9109
    ELECTRONIC_ID = -9110
    WATERMARK = -9111


class ReflectPosition(StrEnum):
    NATIONAL_EMBLEM = "NationalEmblem"
    PORTRAIT = "Portrait"
    RECOGNITION_FIELD = "RecognitionField"
    OTHERS = "Others"


FRONT_FIELDS = ("Name", "Sex", "Nation", "Birth", "Address", "IdNum")
BACK_FIELDS = ("Authority", "ValidDate")
ALL_FIELDS = FRONT_FIELDS + BACK_FIELDS


@dataclass(frozen=True)
class CardConfig:
    """The request's Config switches (every key a bool, default false) plus the top-level options."""

    crop_id_card: bool = False
    crop_portrait: bool = False
    copy_warn: bool = False
    border_check_warn: bool = False
    reshoot_warn: bool = False
    detect_ps_warn: bool = False
    temp_id_warn: bool = False
    invalid_date_warn: bool = False
    quality: bool = False
    multi_card_detect: bool = False
    reflect_warn: bool = False
    enable_recognition_rectify: bool = True
    enable_reflect_detail: bool = False
    advanced_warn: bool = False  # CardWarnType=Advanced

    # Contract key -> attribute, for parsing the Config JSON string.
    CONFIG_KEYS: ClassVar[dict[str, str]] = {
        "CropIdCard": "crop_id_card",
        "CropPortrait": "crop_portrait",
        "CopyWarn": "copy_warn",
        "BorderCheckWarn": "border_check_warn",
        "ReshootWarn": "reshoot_warn",
        "DetectPsWarn": "detect_ps_warn",
        "TempIdWarn": "temp_id_warn",
        "InvalidDateWarn": "invalid_date_warn",
        "Quality": "quality",
        "MultiCardDetect": "multi_card_detect",
        "ReflectWarn": "reflect_warn",
    }


@dataclass
class IdCardFields:
    """The eight fields in the contract's formats; the other side's fields are ""."""

    name: str = ""
    sex: str = ""
    nation: str = ""
    birth: str = ""  # 1987/1/1
    address: str = ""
    id_num: str = ""
    authority: str = ""
    valid_date: str = ""  # 2010.07.21-2020.07.21 or 2015.07.24-长期

    def as_contract(self) -> dict[str, str]:
        return {
            "Name": self.name,
            "Sex": self.sex,
            "Nation": self.nation,
            "Birth": self.birth,
            "Address": self.address,
            "IdNum": self.id_num,
            "Authority": self.authority,
            "ValidDate": self.valid_date,
        }


Point = tuple[float, float]


@dataclass
class OcrResult:
    """What the engine read from one image."""

    side: CardSide
    fields: IdCardFields
    # Contract field name ("Name", "IdNum", ...) -> 0..1; only the detected side's fields.
    confidence: dict[str, float] = field(default_factory=dict)
    # The card's corners in the input image, clockwise from the card's top-left.
    corners: list[Point] = field(default_factory=list)
    card_jpeg: bytes | None = None  # CropIdCard
    portrait_jpeg: bytes | None = None  # CropPortrait (FRONT only)
    warnings: list[int] = field(default_factory=list)  # WarnCode values asked for and found
    quality: int | None = None  # 0-100 when Config.Quality
    border_code_value: int | None = None  # 0-100 when Config.BorderCheckWarn
    reflect_positions: list[ReflectPosition] = field(default_factory=list)
    # Raw reads before EnableRecognitionRectify reconciled IdNum/Birth/Sex.
    raw_fields: IdCardFields | None = None
    # The other side, when MultiCardDetect found both sides in one image.
    other_side: OcrResult | None = None
    elapsed_ms: float = 0.0

    def advanced_info(self) -> dict[str, object]:
        """AdvancedInfo as the contract's JSON object (serialise it to a string for the API)."""
        import base64

        info: dict[str, object] = {}
        if self.card_jpeg is not None:
            info["IdCard"] = base64.b64encode(self.card_jpeg).decode("ascii")
        if self.portrait_jpeg is not None:
            info["Portrait"] = base64.b64encode(self.portrait_jpeg).decode("ascii")
        if self.quality is not None:
            info["Quality"] = self.quality
        if self.border_code_value is not None:
            info["BorderCodeValue"] = self.border_code_value
        if self.warnings:
            info["WarnInfos"] = list(self.warnings)
        return info
