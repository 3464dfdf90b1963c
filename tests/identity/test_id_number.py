from __future__ import annotations

import datetime

import pytest

from onboarding.identity import (
    FEMALE,
    MALE,
    Severity,
    check_character,
    codes,
    is_valid_checksum,
    parse_id_number,
)
from tests.identity.helpers import make_number

TODAY = datetime.date(2026, 11, 25)
CONTRACT_NUMBER = "440524198701010014"  # the contract's example (示例1)


def test_it_accepts_the_contract_example() -> None:
    info = parse_id_number(CONTRACT_NUMBER, today=TODAY)

    assert info.findings == ()
    assert info.is_valid
    assert info.number == CONTRACT_NUMBER
    assert info.birth_date == datetime.date(1987, 1, 1)
    assert info.sex == MALE
    assert info.region_code == "440524"
    assert info.region_name is not None and info.region_name.startswith("广东省")
    assert is_valid_checksum(CONTRACT_NUMBER)


@pytest.mark.parametrize("position", [0, 7, 12, 16, 17])
def test_it_rejects_the_contract_example_with_one_digit_changed(position: int) -> None:
    digit = CONTRACT_NUMBER[position]
    changed = CONTRACT_NUMBER[:position] + str((int(digit) + 1) % 10) + CONTRACT_NUMBER[position + 1 :]

    info = parse_id_number(changed, today=TODAY)

    assert "id_number.checksum" in codes(info.findings)
    assert not info.is_valid
    assert not is_valid_checksum(changed)
    checksum = next(f for f in info.findings if f.code == "id_number.checksum")
    assert checksum.message_zh == "身份证号码校验位不正确，请核对后重新输入"
    assert checksum.field == "IdNum"


def test_it_normalises_a_lower_case_x() -> None:
    birth = datetime.date(1990, 5, 17)
    number = next(
        n for n in (make_number(birth=birth, order=order) for order in range(1, 100)) if n.endswith("X")
    )

    info = parse_id_number(number.lower(), today=TODAY)

    assert info.number == number
    assert info.is_valid
    assert is_valid_checksum(number.lower())


def test_it_rejects_an_x_before_the_last_character() -> None:
    number = CONTRACT_NUMBER[:5] + "X" + CONTRACT_NUMBER[6:]

    info = parse_id_number(number, today=TODAY)

    assert codes(info.findings) == ["id_number.format"]
    assert not is_valid_checksum(number)


def test_it_explains_a_15_digit_legacy_number() -> None:
    info = parse_id_number("440524870101001", today=TODAY)

    assert codes(info.findings) == ["id_number.legacy_15"]
    assert "15" in info.findings[0].message_zh and "18" in info.findings[0].message_zh
    assert "first-generation" in info.findings[0].message_en


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "id_number.empty"),
        ("   ", "id_number.empty"),
        ("44052419870101001", "id_number.length"),
        ("4405241987010100141", "id_number.length"),
        ("44052419870101A014", "id_number.format"),
    ],
)
def test_it_rejects_malformed_numbers(number: str, code: str) -> None:
    info = parse_id_number(number, today=TODAY)

    assert codes(info.findings) == [code]
    assert info.findings[0].severity is Severity.ERROR
    assert info.birth_date is None and info.sex is None


def test_it_rejects_a_birth_date_in_the_future() -> None:
    number = make_number(birth=datetime.date(2027, 3, 1))

    assert codes(parse_id_number(number, today=TODAY).findings) == ["id_number.birth_future"]
    assert parse_id_number(number, today=datetime.date(2027, 3, 1)).is_valid


def test_it_rejects_a_date_that_does_not_exist() -> None:
    first17 = "11010119870230001"  # 30 February
    number = first17 + check_character(first17)

    assert codes(parse_id_number(number, today=TODAY).findings) == ["id_number.birth_invalid"]


def test_it_rejects_a_birth_date_before_1900() -> None:
    number = make_number(birth=datetime.date(1899, 12, 31))

    assert "id_number.birth_too_old" in codes(parse_id_number(number, today=TODAY).findings)


def test_it_only_warns_about_an_unknown_region_code() -> None:
    number = make_number(birth=datetime.date(1987, 1, 1), region="999999")

    info = parse_id_number(number, today=TODAY)

    assert codes(info.findings) == ["id_number.region_unknown"]
    assert info.findings[0].severity is Severity.WARNING
    assert "999999" in info.findings[0].message_zh
    assert info.is_valid
    assert info.region_name is None


def test_it_notes_a_region_code_not_in_use_in_the_birth_year() -> None:
    # 110103 (崇文区) was merged into 东城区 in 2010.
    number = make_number(birth=datetime.date(2015, 1, 1), region="110103")

    info = parse_id_number(number, today=TODAY)

    assert codes(info.findings) == ["id_number.region_period"]
    assert info.findings[0].severity is Severity.INFO
    assert info.region_name is not None and "崇文" in info.region_name
    assert (
        codes(
            parse_id_number(
                make_number(birth=datetime.date(1990, 1, 1), region="110103"), today=TODAY
            ).findings
        )
        == []
    )


@pytest.mark.parametrize(("order", "sex"), [(1, MALE), (2, FEMALE), (999, MALE), (100, FEMALE)])
def test_it_reads_sex_from_the_order_code(order: int, sex: str) -> None:
    assert parse_id_number(make_number(birth=datetime.date(1987, 1, 1), order=order), today=TODAY).sex == sex


def test_it_accepts_full_width_digits_and_spaces() -> None:
    typed = "４４０５２４ １９８７０１０１ ００１４"

    info = parse_id_number(typed, today=TODAY)

    assert info.number == CONTRACT_NUMBER
    assert info.is_valid


def test_it_needs_seventeen_digits_for_a_check_character() -> None:
    with pytest.raises(ValueError, match="17"):
        check_character("4405241987010100")
    with pytest.raises(ValueError, match="17"):
        check_character("4405241987010100X")
