"""The fields of the card in the contract's formats, each checked alone and against the number.

Formats (IDCardOCR API 3.0): Birth ``1987/1/1`` (no zero padding), Sex 男/女, Nation without 族
(汉, 土家, 朝鲜), ValidDate ``2010.07.21-2020.07.21`` or ``2015.07.24-长期``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from onboarding.identity.findings import Finding, Severity
from onboarding.identity.id_number import FEMALE, MALE, parse_id_number

LONG_TERM = "长期"

# The 56 recognised ethnic groups (GB 3304 order), as printed on the card: without 族.
NATIONS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip
_NATION_SET = frozenset(NATIONS)
_EN_SEX = {MALE: "male (男)", FEMALE: "female (女)"}

NAME_SEPARATOR = "·"
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 20
# Dots that input methods and OCR produce in place of the middle dot of minority names.
_NAME_DOTS = str.maketrans(dict.fromkeys("•・‧∙●⋅･.", NAME_SEPARATOR))
# CJK unified ideographs, extension A, compatibility ideographs, extensions B-G (rare name
# characters live there), and 〇.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NAME_CHARS = re.compile(f"[{_CJK}{NAME_SEPARATOR}]+")

_DATE = r"(\d{4})[./\-年](\d{1,2})[./\-月](\d{1,2})日?"
_BIRTH = re.compile(rf"{_DATE}|(\d{{4}})(\d{{2}})(\d{{2}})")
_VALID_DATE = re.compile(rf"{_DATE}[-–—~至]+(?:{_DATE}|{LONG_TERM})")
# A card is issued some weeks after the application, and its period follows the age when the
# holder applied, so a birthday shortly before the start date may leave the younger bracket's span.
_APPLICATION_LEAD = datetime.timedelta(days=90)


class SupportsAsContract(Protocol):
    """Anything with the eight fields under their contract keys, like the OCR engine's IdCardFields."""

    def as_contract(self) -> dict[str, str]: ...


CardInput = Mapping[str, str] | SupportsAsContract


@dataclass(frozen=True)
class ValidityPeriod:
    """有效期限: from ``start`` to ``end`` inclusive; ``end`` is None for 长期 (no end)."""

    start: datetime.date
    end: datetime.date | None

    @property
    def is_long_term(self) -> bool:
        return self.end is None


# --- formats -------------------------------------------------------------------------------------


def format_birth(birth: datetime.date) -> str:
    """The contract's Birth format: ``1987/1/1``, no zero padding."""
    return f"{birth.year}/{birth.month}/{birth.day}"


def parse_birth(text: str) -> datetime.date | None:
    """Read a birth date: ``1987/1/1`` and also ``1987/01/01``, ``1987-1-1``, ``1987年1月1日``, ``19870101``."""
    match = _BIRTH.fullmatch(_compact(text))
    if match is None:
        return None
    return _date(*(g for g in match.groups() if g is not None))


def format_valid_date(period: ValidityPeriod) -> str:
    """The contract's ValidDate format: ``2010.07.21-2020.07.21`` or ``2015.07.24-长期``."""
    end = LONG_TERM if period.end is None else _dotted(period.end)
    return f"{_dotted(period.start)}-{end}"


def parse_valid_date(text: str) -> ValidityPeriod | None:
    """Read a ValidDate such as ``2010.07.21-2020.07.21`` or ``2015.07.24-长期`` (dashes, 至 tolerated)."""
    match = _VALID_DATE.fullmatch(_compact(text))
    if match is None:
        return None
    groups = match.groups()
    start = _date(*groups[:3])
    end = None if groups[3] is None else _date(*groups[3:])
    if start is None or (groups[3] is not None and end is None):
        return None
    return ValidityPeriod(start=start, end=end)


def normalise_nation(nation: str) -> str | None:
    """The card's form of a nation (``汉族`` -> ``汉``), or None when it is not one of the 56."""
    text = _compact(nation)
    text = text.removesuffix("族")
    return text if text in _NATION_SET else None


def normalise_name(name: str) -> str:
    """Spaces removed and look-alike dots replaced by the middle dot ``·`` of minority names."""
    return _compact(name).translate(_NAME_DOTS)


# --- age and validity ----------------------------------------------------------------------------


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Age in completed years (周岁) on the day ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def expected_validity_years(age_at_issue: int) -> int | None:
    """Years a card is valid for by age at issue: under 16: 5; 16-25: 10; 26-45: 20; 46+: None (长期)."""
    if age_at_issue < 0:
        raise ValueError("age_at_issue must not be negative")
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


# --- checks of single fields ---------------------------------------------------------------------


def check_name(name: str) -> list[Finding]:
    """Name: Chinese characters, 2-20 of them, ``·`` only between the parts of a minority name."""
    text = normalise_name(name)
    if not text:
        return [_f("name.empty", Severity.ERROR, "Name", "请填写姓名", "Please enter the name")]
    findings: list[Finding] = []
    if not _NAME_CHARS.fullmatch(text):
        findings.append(
            _f(
                "name.characters",
                Severity.ERROR,
                "Name",
                "姓名只能包含汉字，少数民族姓名各部分之间用“·”分隔",
                "The name may contain only Chinese characters, with '·' between the parts of a minority name",
            )
        )
    elif text.startswith(NAME_SEPARATOR) or text.endswith(NAME_SEPARATOR) or NAME_SEPARATOR * 2 in text:
        findings.append(
            _f(
                "name.separator",
                Severity.ERROR,
                "Name",
                "姓名中的“·”只能出现在两部分之间",
                "The '·' in a name may only stand between two parts",
            )
        )
    if not NAME_MIN_LENGTH <= len(text) <= NAME_MAX_LENGTH:
        findings.append(
            _f(
                "name.length",
                Severity.ERROR,
                "Name",
                f"姓名应为{NAME_MIN_LENGTH}至{NAME_MAX_LENGTH}个字，当前为{len(text)}个",
                f"The name should have {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters, not {len(text)}",
            )
        )
    return findings


def check_sex(sex: str, *, from_number: str | None = None) -> list[Finding]:
    """Sex is 男 or 女 and, when the number's order code is known, agrees with it."""
    text = _compact(sex)
    if text not in (MALE, FEMALE):
        return [
            _f(
                "sex.invalid",
                Severity.ERROR,
                "Sex",
                "性别应为“男”或“女”",
                "Sex should be 男 (male) or 女 (female)",
            )
        ]
    if from_number is not None and text != from_number:
        return [
            _f(
                "sex.mismatch",
                Severity.ERROR,
                "Sex",
                f"性别“{text}”与身份证号码不符（号码显示为“{from_number}”），请核对",
                f"Sex {_EN_SEX[text]} does not match the ID number, which says {_EN_SEX[from_number]}; please check",
            )
        ]
    return []


def check_birth(birth: str, *, from_number: datetime.date | None = None) -> list[Finding]:
    """Birth reads as a date and, when the number's birth date is known, agrees with it."""
    if not _compact(birth):
        return [
            _f("birth.empty", Severity.ERROR, "Birth", "请填写出生日期", "Please enter the date of birth")
        ]
    parsed = parse_birth(birth)
    if parsed is None:
        return [
            _f(
                "birth.format",
                Severity.ERROR,
                "Birth",
                "出生日期无法识别，请按“1987/1/1”的格式填写",
                "The birth date cannot be read; please write it like 1987/1/1",
            )
        ]
    if from_number is not None and parsed != from_number:
        return [
            _f(
                "birth.mismatch",
                Severity.ERROR,
                "Birth",
                f"出生日期 {format_birth(parsed)} 与身份证号码不符（号码显示为 {format_birth(from_number)}），请核对",
                f"The birth date {format_birth(parsed)} does not match the ID number, "
                f"which says {format_birth(from_number)}; please check",
            )
        ]
    return []


def check_nation(nation: str) -> list[Finding]:
    """Nation is one of the 56 recognised groups; written with 族 it is accepted with a note."""
    text = _compact(nation)
    if not text:
        return [_f("nation.empty", Severity.ERROR, "Nation", "请填写民族", "Please enter the ethnic group")]
    normalised = normalise_nation(text)
    if normalised is None:
        return [
            _f(
                "nation.unknown",
                Severity.ERROR,
                "Nation",
                f"“{text}”不是56个民族之一，请按身份证填写，例如“汉”",
                f"'{text}' is not one of the 56 recognised ethnic groups; please write it as on the card, e.g. 汉",
            )
        ]
    if normalised != text:
        return [
            _f(
                "nation.suffix",
                Severity.INFO,
                "Nation",
                f"身份证上的民族不带“族”字，已按“{normalised}”处理",
                f"The card prints the ethnic group without 族; read as {normalised}",
            )
        ]
    return []


def check_validity_period(
    period: ValidityPeriod,
    *,
    today: datetime.date,
    birth: datetime.date | None = None,
    expiring_within_days: int = 30,
) -> list[Finding]:
    """The period is ordered, starts after birth, fits the age at issue, has begun and has not ended."""
    field = "ValidDate"
    findings: list[Finding] = []
    if period.end is not None and period.end <= period.start:
        findings.append(
            _f(
                "valid_date.order",
                Severity.ERROR,
                field,
                "有效期限的截止日期应晚于起始日期，请核对",
                "The validity end date should be after its start date; please check",
            )
        )
    if birth is not None and period.start < birth:
        findings.append(
            _f(
                "valid_date.before_birth",
                Severity.ERROR,
                field,
                "有效期限的起始日期早于出生日期，请核对",
                "The card's validity starts before the holder's birth date; please check",
            )
        )
    elif birth is not None and not findings and not _span_fits_age(period, birth):
        age = age_on(birth, period.start)
        years = expected_validity_years(age)
        zh_term, en_term = ("长期", "long-term (长期)") if years is None else (f"{years}年", f"{years} years")
        findings.append(
            _f(
                "valid_date.span",
                Severity.WARNING,
                field,
                f"签发时持证人{age}周岁，有效期限应为{zh_term}，与证件上的有效期限不符，将由人工核实",
                f"The holder was {age} at issue, so the card should be valid for {en_term}; "
                "the printed period differs and a reviewer will check it",
            )
        )
    if period.start > today:
        findings.append(
            _f(
                "valid_date.not_started",
                Severity.ERROR,
                field,
                "有效期限的起始日期晚于今天，请核对",
                "The card's validity starts in the future; please check",
            )
        )
    if period.end is not None and period.end < today:
        findings.append(
            _f(
                "valid_date.expired",
                Severity.ERROR,
                field,
                f"身份证已于 {_dotted(period.end)} 过期，请使用有效期内的身份证",
                f"The ID card expired on {_dotted(period.end)}; please use a valid card",
            )
        )
    elif period.end is not None and (period.end - today).days <= expiring_within_days:
        days = (period.end - today).days
        findings.append(
            _f(
                "valid_date.expiring",
                Severity.WARNING,
                field,
                f"身份证将于 {_dotted(period.end)} 到期（还有{days}天），请及时换领",
                f"The ID card expires on {_dotted(period.end)} (in {days} days); please renew it soon",
            )
        )
    return findings


def check_valid_date(
    valid_date: str,
    *,
    today: datetime.date,
    birth: datetime.date | None = None,
    expiring_within_days: int = 30,
) -> list[Finding]:
    """ValidDate reads as a period, and the period passes ``check_validity_period``."""
    if not _compact(valid_date):
        return [
            _f(
                "valid_date.empty",
                Severity.ERROR,
                "ValidDate",
                "请填写有效期限",
                "Please enter the validity period",
            )
        ]
    period = parse_valid_date(valid_date)
    if period is None:
        return [
            _f(
                "valid_date.format",
                Severity.ERROR,
                "ValidDate",
                "有效期限无法识别，请按“2010.07.21-2020.07.21”或“2015.07.24-长期”的格式填写",
                "The validity period cannot be read; please write it like 2010.07.21-2020.07.21 or 2015.07.24-长期",
            )
        ]
    return check_validity_period(period, today=today, birth=birth, expiring_within_days=expiring_within_days)


def check_minimum_age(birth: datetime.date, *, on: datetime.date, min_age: int = 18) -> list[Finding]:
    """The holder is at least ``min_age`` years old on the day ``on``."""
    if age_on(birth, on) >= min_age:
        return []
    return [
        _f(
            "age.under_minimum",
            Severity.ERROR,
            None,
            f"需年满{min_age}周岁才能办理",
            f"You must be at least {min_age} years old",
        )
    ]


# --- the whole card ------------------------------------------------------------------------------


def validate_card(
    *,
    front: CardInput | None = None,
    back: CardInput | None = None,
    today: datetime.date,
    min_age: int = 18,
    expiring_within_days: int = 30,
) -> list[Finding]:
    """Every rule of the card on the fields given (contract keys: Name, Sex, Nation, Birth, IdNum ...).

    ``front`` is checked when given (number, name, sex, nation, birth, minimum age); ``back`` when
    given (validity period, against the birth date from the front when there is one).
    """
    findings: list[Finding] = []
    birth: datetime.date | None = None
    if front is not None:
        fields = _as_mapping(front)
        info = parse_id_number(fields.get("IdNum", ""), today=today)
        findings.extend(info.findings)
        number_birth = info.birth_date if _birth_is_usable(info.findings) else None
        findings.extend(check_name(fields.get("Name", "")))
        findings.extend(check_sex(fields.get("Sex", ""), from_number=info.sex if info.is_valid else None))
        findings.extend(check_nation(fields.get("Nation", "")))
        findings.extend(check_birth(fields.get("Birth", ""), from_number=number_birth))
        birth = number_birth or parse_birth(fields.get("Birth", ""))
        if birth is not None and birth <= today:
            findings.extend(check_minimum_age(birth, on=today, min_age=min_age))
    if back is not None:
        findings.extend(
            check_valid_date(
                _as_mapping(back).get("ValidDate", ""),
                today=today,
                birth=birth,
                expiring_within_days=expiring_within_days,
            )
        )
    return findings


# --- helpers -------------------------------------------------------------------------------------


def _span_fits_age(period: ValidityPeriod, birth: datetime.date) -> bool:
    application = max(birth, period.start - _APPLICATION_LEAD)
    allowed = {
        expected_validity_years(age_on(birth, period.start)),
        expected_validity_years(age_on(birth, application)),
    }
    if period.end is None:
        return None in allowed
    # Printed end dates are the same day N years on, sometimes a day before or after.
    return any(
        abs((period.end - _add_years(period.start, years)).days) <= 1
        for years in allowed
        if years is not None
    )


def _birth_is_usable(findings: tuple[Finding, ...]) -> bool:
    # A wrong check character means some digit is wrong, possibly a date digit.
    bad = {
        "id_number.checksum",
        "id_number.birth_invalid",
        "id_number.birth_future",
        "id_number.birth_too_old",
    }
    return not any(f.code in bad for f in findings)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _as_mapping(fields: CardInput) -> Mapping[str, str]:
    if isinstance(fields, Mapping):
        return fields
    return fields.as_contract()


def _compact(text: str) -> str:
    # NFKC turns full-width digits and punctuation from Chinese input methods into ASCII.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _dotted(day: datetime.date) -> str:
    return f"{day.year:04d}.{day.month:02d}.{day.day:02d}"


def _f(code: str, severity: Severity, field: str | None, zh: str, en: str) -> Finding:
    return Finding(code=code, severity=severity, message_zh=zh, message_en=en, field=field)
