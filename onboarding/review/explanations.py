"""Plain explanations for reviewers: what each OCR warning and each finding means and what to look at.

The end-user messages live with the rules (``onboarding.identity``); these are written for the person
deciding the case, so they say what the signal is evidence of and where on the photos to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from onboarding.kyc import catalog
from onboarding.ocr.engine.types import WarnCode


@dataclass(frozen=True)
class Explanation:
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str

    def title(self, *, language: str) -> str:
        return self.title_zh if language.lower().startswith("zh") else self.title_en

    def text(self, *, language: str) -> str:
        return self.text_zh if language.lower().startswith("zh") else self.text_en


WARNINGS: dict[int, Explanation] = {
    WarnCode.INVALID_DATE_LEGACY: Explanation(
        "有效期不合理",
        "Validity period invalid",
        "有效期限的日期不可能成立（结束早于开始，或期限与签发时年龄不符）。核对反面的有效期限与出生日期。",
        "The validity period cannot be right (ends before it starts, or its length does not fit the holder's age at issue). Compare the back's 有效期限 with the birth date.",
    ),
    WarnCode.INVALID_DATE: Explanation(
        "有效期不合理",
        "Validity period invalid",
        "有效期限的日期不可能成立（结束早于开始，或期限与签发时年龄不符）。核对反面的有效期限与出生日期。",
        "The validity period cannot be right (ends before it starts, or its length does not fit the holder's age at issue). Compare the back's 有效期限 with the birth date.",
    ),
    WarnCode.BORDER_INCOMPLETE: Explanation(
        "边框不完整",
        "Card border cut off",
        "证件有一部分在照片外，被裁掉的区域可能藏有改动。查看原图四边是否完整。",
        "Part of the card lies outside the photo; an edit could hide in the missing part. Check all four edges on the original photo.",
    ),
    WarnCode.COPY: Explanation(
        "疑似复印件",
        "Looks like a photocopy",
        "图像有复印的特征（纸张纹理、墨粉颗粒、颜色失真），不是拍摄的原件。原件应有防伪底纹和光泽。",
        "The image has the marks of a copy (paper texture, toner speckle, flattened colour) rather than a photo of the card. An original shows the guilloche background and some sheen.",
    ),
    WarnCode.COPY_BLACK_WHITE: Explanation(
        "黑白复印件",
        "Black-and-white photocopy",
        "图像是黑白复印件：没有颜色，防伪底纹缺失。通常应要求重新拍摄原件。",
        "The image is a black-and-white copy: no colour, no security background. Usually ask for a photo of the original card.",
    ),
    WarnCode.RESHOOT: Explanation(
        "疑似翻拍",
        "Re-shot from a screen",
        "照片拍的是屏幕上的证件（摩尔纹、像素网格、屏幕反光或边框）。放大原图查看是否有规则条纹。",
        "The photo shows a card displayed on a screen (moiré, pixel grid, screen glare or bezel). Zoom into the original photo and look for regular stripes.",
    ),
    WarnCode.TEMPORARY_ID: Explanation(
        "临时身份证",
        "Temporary ID card",
        "证件是临时居民身份证，有效期短且版式不同。按业务规则决定是否接受。",
        "The card is a temporary resident ID card, with a short validity and a different layout. Decide by policy whether it is acceptable.",
    ),
    WarnCode.OCCLUSION: Explanation(
        "证件被遮挡",
        "Something covers the card",
        "证件框内有物体遮挡（手指、贴纸、纸片）。看遮挡处是否盖住了姓名、号码或照片。",
        "Something inside the card's frame covers part of it (a finger, a sticker, paper). Check whether it hides the name, the number or the portrait.",
    ),
    WarnCode.PS_EDITED: Explanation(
        "疑似PS修改",
        "Signs of editing",
        "图像有编辑痕迹（粘贴或重打的文字、噪点或压缩不一致、字体或间距异常）。放大比较各字段的字体与背景。",
        "The image shows signs of editing (pasted or re-typed text, inconsistent noise or compression, odd fonts or spacing). Zoom in and compare each field's type and background.",
    ),
    WarnCode.REFLECTION: Explanation(
        "反光",
        "Glare",
        "强光使证件部分区域发白，该处文字可能读错。核对反光区域内的字段。",
        "Glare washes out part of the card; fields under it may be misread. Check the fields in the bright area.",
    ),
    WarnCode.ELECTRONIC_ID: Explanation(
        "电子身份证",
        "Electronic ID card",
        "图像是电子证照（手机上的证件），不是实体卡片。",
        "The image is an electronic ID (a card shown in an app), not the physical card.",
    ),
    WarnCode.WATERMARK: Explanation(
        "有水印",
        "Watermark",
        "图像上有水印，可能遮盖或改动了内容。",
        "The image carries a watermark that may hide or alter content.",
    ),
}

# Keyed by finding code (``onboarding.identity.findings`` plus the kyc app's own codes); codes not
# listed fall back to the finding's stored message.
FINDINGS: dict[str, Explanation] = {
    "id_number.checksum": Explanation(
        "校验位不符",
        "Check character wrong",
        "号码最后一位与前17位算出的校验位不符：号码被读错、打错或伪造。对照原图逐位核对。",
        "The last character does not match the check computed from the first 17: the number was misread, mistyped or made up. Compare it digit by digit with the photo.",
    ),
    "id_number.length": Explanation(
        "号码长度不对", "Wrong length", "号码不是18位。", "The number is not 18 characters long."
    ),
    "id_number.format": Explanation(
        "号码格式不对",
        "Bad number format",
        "号码应为17位数字加一位数字或X。",
        "The number must be 17 digits plus a digit or X.",
    ),
    "id_number.legacy_15": Explanation(
        "15位旧号码",
        "Old 15-digit number",
        "这是第一代身份证号码，二代证不可能出现。",
        "A first-generation number; a second-generation card never carries one.",
    ),
    "id_number.birth_invalid": Explanation(
        "号码中的出生日期无效",
        "Birth date in number invalid",
        "号码第7-14位不是真实日期。",
        "Digits 7-14 of the number are not a real date.",
    ),
    "id_number.birth_future": Explanation(
        "出生日期在未来",
        "Birth date in the future",
        "号码中的出生日期晚于今天。",
        "The number's birth date is after today.",
    ),
    "id_number.birth_too_old": Explanation(
        "出生日期过早",
        "Birth date too early",
        "号码中的出生日期早于1900年。",
        "The number's birth date is before 1900.",
    ),
    "id_number.region_unknown": Explanation(
        "地区码未知",
        "Unknown region code",
        "前6位地区码不在任何版本的行政区划表中。地区码会撤销和新设，所以这只是提示：核对住址是否对应。",
        "The first six digits are in no edition of the region table. Codes are retired and created, so this is a hint: check that the address fits.",
    ),
    "id_number.region_period": Explanation(
        "地区码年代不符",
        "Region code from another period",
        "地区码存在过，但不在出生那年。通常无碍。",
        "The region code existed, but not in the birth year. Usually harmless.",
    ),
    "sex.mismatch": Explanation(
        "性别与号码不符",
        "Sex disagrees with number",
        "号码第17位奇数为男、偶数为女，与填写的性别不一致。",
        "Digit 17 is odd for men and even for women, and it disagrees with the stated sex.",
    ),
    "birth.mismatch": Explanation(
        "出生日期与号码不符",
        "Birth disagrees with number",
        "正面的出生日期与号码中的日期不同：常见于篡改的证件。",
        "The printed birth date differs from the one in the number: typical of a tampered card.",
    ),
    "nation.unknown": Explanation(
        "民族不在56个民族中",
        "Unknown ethnic group",
        "民族不是国家认定的56个民族之一。",
        "The ethnic group is not one of the 56 recognised groups.",
    ),
    "valid_date.span": Explanation(
        "有效期长度与年龄不符",
        "Validity span does not fit age",
        "签发时未满16岁为5年，16-25岁10年，26-45岁20年，46岁以上长期。不符可能是读错或伪造。",
        "Under 16 at issue: 5 years; 16-25: 10; 26-45: 20; 46 and over: long-term. A mismatch means a misread or a forgery.",
    ),
    "valid_date.expired": Explanation(
        "证件已过期",
        "Card expired",
        "有效期限的结束日期早于今天。",
        "The validity period ended before today.",
    ),
    "valid_date.expiring": Explanation(
        "证件即将过期",
        "Card expiring soon",
        "证件将在几天内过期；可以接受，但用户很快需要换证。",
        "The card expires within days; acceptable, but the user will need a new card soon.",
    ),
    "duplicate.id_number": Explanation(
        "号码已被其他账户验证",
        "Number already verified elsewhere",
        "同一个身份证号码已在另一个账户通过验证。看下方“同号码的其他核验”：可能是同一人重复注册，也可能是冒用。",
        "The same ID number was already verified for another account. See the other verifications with this number below: the same person twice, or someone using another's card.",
    ),
    "user_edit.key_field": Explanation(
        "用户修改了识别结果",
        "User changed a value read from the card",
        "用户修改了OCR读出的关键字段。对照原图判断是OCR读错还是用户填了与证件不符的信息。",
        "The user changed a key value the OCR read. Compare with the photo: either the OCR misread it, or the user typed something that is not on the card.",
    ),
    "ocr.low_quality": Explanation(
        "照片不清晰",
        "Photo not sharp",
        "照片质量分低于50，文字可能读错。放大原图逐字核对。",
        "The photo's quality score is below 50, so text may be misread. Zoom in and check field by field.",
    ),
    "age.under_minimum": Explanation(
        "未达最低年龄",
        "Under the minimum age",
        "按出生日期，持证人未达到开户的最低年龄。",
        "By the birth date, the holder is younger than the minimum age.",
    ),
}


def explain_warning(code: int) -> Explanation:
    """The explanation of an IDCardOCR warning code (a generic one for codes we do not know)."""
    try:
        return WARNINGS[int(code)]
    except (KeyError, ValueError):
        return Explanation(
            f"告警 {code}",
            f"Warning {code}",
            "OCR 服务返回了未知告警码，请查看原图。",
            "The OCR service returned a warning code we do not know; look at the photos.",
        )


def explain_finding(code: str) -> Explanation | None:
    """The reviewer's explanation of a finding code, or None when the stored message must serve."""
    return FINDINGS.get(code)


def finding_title(code: str, *, language: str) -> str:
    """A short name for a finding code: the reviewer's title when there is one, else the code."""
    found = FINDINGS.get(code)
    if found is None and code in _WARNING_FINDINGS:
        found = explain_warning(_WARNING_FINDINGS[code])
    return found.title(language=language) if found else code


# The kyc app files each OCR warning as a finding with its own code ("ocr.copy" for -9102 and -9108).
_WARNING_FINDINGS: dict[str, int] = {}
for _warn_code, _explained in catalog.WARNINGS.items():
    _WARNING_FINDINGS.setdefault(_explained.code, int(_warn_code))
