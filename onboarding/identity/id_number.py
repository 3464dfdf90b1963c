"""The 18-character citizen ID number (公民身份号码, GB 11643-1999): parse it and say what is wrong.

Layout: 6-digit region code (GB/T 2260), 8-digit birth date YYYYMMDD, 3-digit order code (odd for
men, even for women), and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from stdnum import numdb
from stdnum.iso7064 import mod_11_2

from onboarding.identity.findings import Finding, Severity

FIELD = "IdNum"
MALE = "男"
FEMALE = "女"
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# Spaces and dashes people type or OCR inserts between groups of digits.
_SEPARATORS = re.compile(r"[\s\-]+")
_SHAPE = re.compile(r"\d{17}[\dX]")


@dataclass(frozen=True)
class IdNumberInfo:
    """What an ID number says, as far as it could be read, and what is wrong with it."""

    number: str  # normalised: upper-case X, no spaces; as given when it is not 18 characters
    birth_date: datetime.date | None
    sex: str | None  # 男 or 女
    region_code: str | None
    region_name: str | None  # e.g. 广东省潮阳县, when the region table knows the code
    findings: tuple[Finding, ...]

    @property
    def is_valid(self) -> bool:
        """No error among the findings (warnings such as an unknown region code are allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)


def normalise_id_number(number: str) -> str:
    """Full-width digits to ASCII, separators removed, x to X."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number)).upper()


def check_character(first17: str) -> str:
    """The check character (0-9 or X) for the first 17 digits of an ID number."""
    if not (len(first17) == 17 and first17.isascii() and first17.isdigit()):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    return mod_11_2.calc_check_digit(first17)


def is_valid_checksum(number: str) -> bool:
    """True when ``number`` is 17 digits plus the right check character (lower-case x accepted)."""
    number = normalise_id_number(number)
    # mod_11_2 alone would also accept an X in the middle, so the shape is checked first.
    return bool(_SHAPE.fullmatch(number)) and mod_11_2.is_valid(number)


def sex_from_number(number: str) -> str:
    """男 or 女 from the order code (digit 17: odd for men, even for women)."""
    return MALE if int(number[16]) % 2 else FEMALE


def parse_id_number(number: str, *, today: datetime.date) -> IdNumberInfo:
    """Read an ID number and check it: length, shape, check character, birth date, region code."""
    number = normalise_id_number(number)
    if not number:
        return _failed(number, _finding("id_number.empty", Severity.ERROR, *_EMPTY))
    if len(number) == 15 and number.isdigit():
        return _failed(number, _finding("id_number.legacy_15", Severity.ERROR, *_LEGACY))
    if len(number) != 18:
        zh, en = _LENGTH
        return _failed(
            number,
            _finding("id_number.length", Severity.ERROR, zh.format(n=len(number)), en.format(n=len(number))),
        )
    if not _SHAPE.fullmatch(number):
        return _failed(number, _finding("id_number.format", Severity.ERROR, *_FORMAT))

    findings: list[Finding] = []
    if not mod_11_2.is_valid(number):
        findings.append(_finding("id_number.checksum", Severity.ERROR, *_CHECKSUM))

    birth = _birth_date(number)
    if birth is None:
        findings.append(_finding("id_number.birth_invalid", Severity.ERROR, *_BIRTH_INVALID))
    elif birth > today:
        findings.append(_finding("id_number.birth_future", Severity.ERROR, *_BIRTH_FUTURE))
    elif birth < _EARLIEST_BIRTH:
        findings.append(_finding("id_number.birth_too_old", Severity.ERROR, *_BIRTH_TOO_OLD))

    region_code = number[:6]
    region = _region(region_code, birth_year=birth.year if birth else None)
    if region is None:
        zh, en = _REGION_UNKNOWN
        findings.append(
            _finding(
                "id_number.region_unknown",
                Severity.WARNING,
                zh.format(code=region_code),
                en.format(code=region_code),
            )
        )
    elif not region.in_use_at_birth:
        zh, en = _REGION_PERIOD
        findings.append(
            _finding(
                "id_number.region_period",
                Severity.INFO,
                zh.format(code=region_code, name=region.name),
                en.format(code=region_code, name=region.name),
            )
        )

    return IdNumberInfo(
        number=number,
        birth_date=birth,
        sex=sex_from_number(number),
        region_code=region_code,
        region_name=region.name if region else None,
        findings=tuple(findings),
    )


@dataclass(frozen=True)
class _Region:
    name: str
    in_use_at_birth: bool


def _region(code: str, *, birth_year: int | None) -> _Region | None:
    """Look the code up in python-stdnum's region table, in any edition.

    Hand-written because ``stdnum.cn.ric.get_birth_place`` rejects codes not in use in the birth
    year, while a code retired or created since is only worth a note, not a rejection.
    """
    props: dict[str, str] = {}
    for _part, part_props in numdb.get("cn/loc").info(code):
        props.update(part_props)
    if "county" not in props:
        return None
    province = props.get("province", "")
    # "[1983-1993]潮阳县,[1993-]..." lists each name with the years it was in use.
    fallback: str | None = None
    for entry in props["county"].split(","):
        match = re.fullmatch(r"(?:\[(\d*)-(\d*)\])?(.+)", entry)
        if match is None:  # pragma: no cover - every entry has a name
            continue
        start, end, county = match.groups()
        name = county if county == province else province + county
        fallback = fallback or name
        if birth_year is None:
            continue
        if (not start or int(start) <= birth_year) and (not end or birth_year <= int(end)):
            return _Region(name=name, in_use_at_birth=True)
    if fallback is None:  # pragma: no cover - "county" is never empty
        return None
    return _Region(name=fallback, in_use_at_birth=birth_year is None)


def _birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _failed(number: str, finding: Finding) -> IdNumberInfo:
    return IdNumberInfo(
        number=number, birth_date=None, sex=None, region_code=None, region_name=None, findings=(finding,)
    )


def _finding(code: str, severity: Severity, zh: str, en: str) -> Finding:
    return Finding(code=code, severity=severity, message_zh=zh, message_en=en, field=FIELD)


_EMPTY = ("请输入身份证号码", "Please enter the ID number")
_LEGACY = (
    "这是15位的第一代身份证号码，请输入第二代身份证上的18位号码",
    "This is a 15-digit first-generation ID number; please enter the 18-digit number on your "
    "second-generation card",
)
_LENGTH = (
    "身份证号码应为18位，当前为{n}位，请核对后重新输入",
    "The ID number should have 18 characters, not {n}; please check it",
)
_FORMAT = (
    "身份证号码应为17位数字加最后一位数字或X，请核对后重新输入",
    "The ID number should be 17 digits followed by a digit or X (X only at the end); please check it",
)
_CHECKSUM = (
    "身份证号码校验位不正确，请核对后重新输入",
    "The ID number's check character is wrong; please check it",
)
_BIRTH_INVALID = (
    "身份证号码中的出生日期（第7至14位）不是有效日期，请核对后重新输入",
    "The birth date in the ID number (characters 7-14) is not a real date; please check it",
)
_BIRTH_FUTURE = (
    "身份证号码中的出生日期晚于今天，请核对后重新输入",
    "The birth date in the ID number is in the future; please check it",
)
_BIRTH_TOO_OLD = (
    "身份证号码中的出生日期早于1900年，请核对后重新输入",
    "The birth date in the ID number is before 1900; please check it",
)
_REGION_UNKNOWN = (
    "身份证号码前6位地区码 {code} 未在行政区划表中找到，将由人工核实",
    "The region code {code} (first 6 digits of the ID number) is not in the region table; "
    "a reviewer will check it",
)
_REGION_PERIOD = (
    "地区码 {code}（{name}）在出生年份并未使用，这可能是正常的迁移登记",
    "The region code {code} ({name}) was not in use in the birth year; this can happen after a move",
)
