"""What OCR warnings and errors mean for the user: stable finding codes and messages in zh and en."""

from __future__ import annotations

from dataclasses import dataclass

from onboarding.ocr.engine.types import WarnCode
from onboarding.ocr.errors import ErrorCode


@dataclass(frozen=True)
class Explained:
    code: str
    message_zh: str
    message_en: str


_ORIGINAL_ZH = "请拍摄身份证原件。"
_ORIGINAL_EN = "Please photograph the original card."

WARNINGS: dict[int, Explained] = {
    WarnCode.COPY: Explained(
        "ocr.copy", "照片疑似复印件。" + _ORIGINAL_ZH, "The photo looks like a photocopy. " + _ORIGINAL_EN
    ),
    WarnCode.COPY_BLACK_WHITE: Explained(
        "ocr.copy",
        "照片疑似黑白复印件。" + _ORIGINAL_ZH,
        "The photo looks like a black-and-white copy. " + _ORIGINAL_EN,
    ),
    WarnCode.RESHOOT: Explained(
        "ocr.reshoot",
        "照片疑似翻拍屏幕。" + _ORIGINAL_ZH,
        "The photo looks taken from a screen. " + _ORIGINAL_EN,
    ),
    WarnCode.BORDER_INCOMPLETE: Explained(
        "ocr.border_incomplete",
        "身份证边框不完整，请把整张证件拍进画面。",
        "The card's border is cut off; fit the whole card into the photo.",
    ),
    WarnCode.OCCLUSION: Explained(
        "ocr.occlusion",
        "证件有遮挡，请移开遮挡物后重新拍摄。",
        "Something covers the card; retake it uncovered.",
    ),
    WarnCode.PS_EDITED: Explained(
        "ocr.ps_edited", "照片疑似经过编辑。" + _ORIGINAL_ZH, "The photo looks edited. " + _ORIGINAL_EN
    ),
    WarnCode.TEMPORARY_ID: Explained(
        "ocr.temporary_id",
        "这是临时身份证，需要人工审核。",
        "This is a temporary ID card; a person will check it.",
    ),
    WarnCode.INVALID_DATE: Explained(
        "ocr.invalid_date", "证件有效期限无效或已过期。", "The card's validity period is invalid or over."
    ),
    WarnCode.INVALID_DATE_LEGACY: Explained(
        "ocr.invalid_date", "证件有效期限无效或已过期。", "The card's validity period is invalid or over."
    ),
    WarnCode.REFLECTION: Explained(
        "ocr.reflection",
        "证件有反光，请避开强光重新拍摄。",
        "There is glare on the card; retake it away from bright light.",
    ),
    WarnCode.ELECTRONIC_ID: Explained(
        "ocr.electronic_id", "这是电子身份证。" + _ORIGINAL_ZH, "This is an electronic ID. " + _ORIGINAL_EN
    ),
    WarnCode.WATERMARK: Explained(
        "ocr.watermark", "照片带有水印。" + _ORIGINAL_ZH, "The photo has a watermark. " + _ORIGINAL_EN
    ),
}

LOW_QUALITY = Explained(
    "ocr.low_quality",
    "照片不够清晰，可能需要人工审核。",
    "The photo is not sharp; a person may need to check it.",
)
QUALITY_BAR = 50  # the contract's usual bar for AdvancedInfo.Quality

_RETAKE_ZH = "请重新上传。"
_RETAKE_EN = "Please upload it again."

ERRORS: dict[str, Explained] = {
    ErrorCode.CARD_SIDE_ERROR: Explained(
        "ocr.card_side", "这张照片不是身份证的这一面。", "This photo is not this side of the card."
    ),
    ErrorCode.IMAGE_BLUR: Explained(
        "ocr.image_blur",
        "照片模糊，请在光线充足处对焦后重新拍摄。",
        "The photo is blurred; retake it in good light and in focus.",
    ),
    ErrorCode.ID_CARD_TOO_SMALL: Explained(
        "ocr.card_too_small",
        "身份证在照片中太小或分辨率太低，请靠近一些重新拍摄。",
        "The card is too small in the photo or the resolution is too low; move closer and retake it.",
    ),
    ErrorCode.IMAGE_NO_ID_CARD: Explained(
        "ocr.no_card",
        "照片中没有找到身份证。" + _RETAKE_ZH,
        "No ID card was found in the photo. " + _RETAKE_EN,
    ),
    ErrorCode.IMAGE_DECODE_FAILED: Explained(
        "ocr.image_unreadable", "照片无法打开。" + _RETAKE_ZH, "The photo cannot be opened. " + _RETAKE_EN
    ),
    ErrorCode.EMPTY_IMAGE: Explained(
        "ocr.image_unreadable", "照片内容为空。" + _RETAKE_ZH, "The photo is empty. " + _RETAKE_EN
    ),
    ErrorCode.MULTI_CARD: Explained(
        "ocr.multi_card",
        "照片中有多张身份证，请每次只拍一张。",
        "Several cards are in the photo; photograph one at a time.",
    ),
    ErrorCode.ID_CARD_INFO_ILLEGAL: Explained(
        "ocr.info_illegal",
        "证件信息无法通过校验。" + _RETAKE_ZH,
        "The card's details fail the checks. " + _RETAKE_EN,
    ),
    ErrorCode.IMAGE_SIZE_TOO_LARGE: Explained(
        "ocr.image_too_large", "照片尺寸过大。" + _RETAKE_ZH, "The photo is too large. " + _RETAKE_EN
    ),
    ErrorCode.TOO_LARGE_FILE: Explained(
        "ocr.image_too_large", "照片文件过大。" + _RETAKE_ZH, "The photo file is too large. " + _RETAKE_EN
    ),
}

SIDES_SWAPPED = Explained(
    "ocr.sides_swapped",
    "正反面上传反了：人像面应上传到“人像面”，国徽面应上传到“国徽面”。",
    "Front and back were uploaded the wrong way round: put the portrait side under Front and the emblem side under Back.",
)


def wrong_side(expected: str) -> Explained:
    """The photo under one side shows the other side (or the same side twice)."""
    if expected == "FRONT":
        return Explained(
            "ocr.card_side",
            "“人像面”这里上传的不是身份证人像面（有照片的一面）。",
            "The photo under Front is not the portrait side of the card.",
        )
    return Explained(
        "ocr.card_side",
        "“国徽面”这里上传的不是身份证国徽面（有国徽的一面）。",
        "The photo under Back is not the national-emblem side of the card.",
    )


OCR_UNAVAILABLE = Explained(
    "ocr.unavailable",
    "暂时无法识别您的照片，请重新上传后再试。",
    "We could not read your photos just now; please upload them again and retry.",
)
OCR_FAILED = Explained(
    "ocr.failed",
    "无法识别这张照片，请重新上传清晰的身份证原件照片。",
    "This photo could not be read; please upload a clear photo of the original card.",
)
IMAGE_MISSING = Explained(
    "ocr.image_missing", "照片已丢失，请重新上传。", "The photo is no longer stored; please upload it again."
)
DUPLICATE = Explained(
    "duplicate.id_number",
    "该身份证号码已被其他账户验证，需要人工审核。",
    "This ID number is already verified by another account; a person will check it.",
)
USER_EDITED = Explained(
    "user_edit.key_field",
    "识别结果被修改，需要人工核对。",
    "A value read from the card was changed; a person will compare it with the photo.",
)


def explain_error(code: str) -> Explained:
    return ERRORS.get(code, OCR_FAILED)
