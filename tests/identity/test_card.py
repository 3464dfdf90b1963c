from __future__ import annotations

import datetime

import pytest

import onboarding.identity.findings as findings_module
from onboarding.identity import (
    FEMALE,
    MALE,
    NATIONS,
    Severity,
    ValidityPeriod,
    age_on,
    check_name,
    check_nation,
    check_validity_period,
    codes,
    expected_validity_years,
    format_birth,
    has_errors,
    normalise_nation,
    parse_birth,
    parse_valid_date,
    validate_card,
)
from onboarding.ocr.engine.types import IdCardFields
from tests.identity.helpers import make_number

TODAY = datetime.date(2026, 11, 25)
# The contract's two examples (示例1 front, 示例2 back).
CONTRACT_FRONT = {
    "Name": "李明",
    "Sex": "男",
    "Nation": "汉",
    "Birth": "1987/1/1",
    "Address": "北京市石景山区高新技术园腾讯大楼",
    "IdNum": "440524198701010014",
}
CONTRACT_BACK = {"Authority": "赵县公安局", "ValidDate": "2010.07.21-2020.07.21"}


def front_for(birth: datetime.date, *, order: int = 1, **overrides: str) -> dict[str, str]:
    number = make_number(birth=birth, order=order)
    fields = {
        "Name": "王芳",
        "Sex": MALE if order % 2 else FEMALE,
        "Nation": "汉",
        "Birth": format_birth(birth),
        "IdNum": number,
    }
    return {**fields, **overrides}


def span_codes(*, birth: datetime.date, valid_date: str) -> list[str]:
    period = parse_valid_date(valid_date)
    assert period is not None
    return [
        c
        for c in codes(check_validity_period(period, birth=birth, today=period.start))
        if c == "valid_date.span"
    ]


def test_it_accepts_the_contract_examples_while_the_card_was_valid() -> None:
    assert validate_card(front=CONTRACT_FRONT, back=CONTRACT_BACK, today=datetime.date(2015, 1, 1)) == []


def test_it_reports_the_contract_example_card_as_expired_today() -> None:
    found = validate_card(front=CONTRACT_FRONT, back=CONTRACT_BACK, today=TODAY)

    assert codes(found) == ["valid_date.expired"]
    assert "2020.07.21" in found[0].message_zh and "2020.07.21" in found[0].message_en
    assert has_errors(found)


def test_it_takes_the_ocr_engines_fields_as_well_as_mappings() -> None:
    fields = IdCardFields(
        name="李明",
        sex="女",
        nation="汉",
        birth="1987/1/1",
        id_num="440524198701010014",
        valid_date="2010.07.21-2020.07.21",
    )

    found = validate_card(front=fields, back=fields, today=datetime.date(2015, 1, 1))

    assert codes(found) == ["sex.mismatch"]


def test_it_warns_when_the_card_expires_within_the_given_days() -> None:
    today = datetime.date(2020, 7, 1)

    found = validate_card(front=CONTRACT_FRONT, back=CONTRACT_BACK, today=today)

    assert codes(found) == ["valid_date.expiring"]
    assert found[0].severity is Severity.WARNING
    assert "20" in found[0].message_en
    assert validate_card(front=CONTRACT_FRONT, back=CONTRACT_BACK, today=today, expiring_within_days=10) == []
    assert codes(validate_card(back=CONTRACT_BACK, today=datetime.date(2020, 7, 21))) == [
        "valid_date.expiring"
    ]
    assert codes(validate_card(back=CONTRACT_BACK, today=datetime.date(2020, 7, 22))) == [
        "valid_date.expired"
    ]


def test_it_reports_sex_and_birth_that_disagree_with_the_number() -> None:
    front = {**CONTRACT_FRONT, "Sex": "女", "Birth": "1987/1/2"}

    found = validate_card(front=front, today=TODAY)

    assert codes(found) == ["sex.mismatch", "birth.mismatch"]
    assert "1987/1/1" in found[1].message_zh and "1987/1/2" in found[1].message_zh
    assert {f.field for f in found} == {"Sex", "Birth"}


@pytest.mark.parametrize("birth", ["1987/01/01", "1987-1-1", "1987年1月1日", "19870101", "１９８７/１/１"])
def test_it_reads_birth_dates_tolerantly(birth: str) -> None:
    assert parse_birth(birth) == datetime.date(1987, 1, 1)
    assert validate_card(front={**CONTRACT_FRONT, "Birth": birth}, today=TODAY) == []


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        ("", "birth.empty"),
        ("1987/2/30", "birth.format"),
        ("87/1/1", "birth.format"),
        ("一九八七年", "birth.format"),
    ],
)
def test_it_rejects_a_birth_it_cannot_read(birth: str, code: str) -> None:
    assert codes(validate_card(front={**CONTRACT_FRONT, "Birth": birth}, today=TODAY)) == [code]


@pytest.mark.parametrize("sex", ["", "M", "男性"])
def test_it_rejects_a_sex_other_than_male_or_female(sex: str) -> None:
    assert codes(validate_card(front={**CONTRACT_FRONT, "Sex": sex}, today=TODAY)) == ["sex.invalid"]


def test_it_knows_the_56_nations_without_zu() -> None:
    assert len(NATIONS) == 56
    assert len(set(NATIONS)) == 56
    assert not any(n.endswith("族") for n in NATIONS)


@pytest.mark.parametrize(
    ("written", "card_form"),
    [
        ("汉", "汉"),
        ("汉族", "汉"),
        ("土家", "土家"),
        ("土家族", "土家"),
        ("朝鲜族", "朝鲜"),
        (" 维吾尔族 ", "维吾尔"),
        ("基诺", "基诺"),
    ],
)
def test_it_accepts_a_nation_with_or_without_zu(written: str, card_form: str) -> None:
    assert normalise_nation(written) == card_form
    found = check_nation(written)
    assert not has_errors(found)
    assert codes(found) == ([] if written.strip() == card_form else ["nation.suffix"])


@pytest.mark.parametrize("nation", ["汉人", "穿青", "族", "Han", "汉族族"])
def test_it_rejects_an_unknown_nation(nation: str) -> None:
    found = check_nation(nation)

    assert codes(found) == ["nation.unknown"]
    assert nation in found[0].message_zh


def test_it_asks_for_a_missing_nation() -> None:
    assert codes(check_nation("")) == ["nation.empty"]


@pytest.mark.parametrize(
    "name", ["李明", "欧阳娜娜", "买买提·艾力", "阿卜杜拉·买买提·吐尔逊", "阿卜杜拉•买买提", "𬌗明"]
)
def test_it_accepts_plausible_names(name: str) -> None:
    assert check_name(name) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "name.empty"),
        ("李", "name.length"),
        ("阿" * 21, "name.length"),
        ("Li Ming", "name.characters"),
        ("李明2", "name.characters"),
        ("·买买提", "name.separator"),
        ("买买提·", "name.separator"),
        ("买买提··艾力", "name.separator"),
    ],
)
def test_it_rejects_implausible_names(name: str, code: str) -> None:
    assert codes(check_name(name)) == [code]


@pytest.mark.parametrize(
    ("age", "years"), [(0, 5), (15, 5), (16, 10), (25, 10), (26, 20), (45, 20), (46, None), (90, None)]
)
def test_it_knows_the_validity_span_for_each_age(age: int, years: int | None) -> None:
    assert expected_validity_years(age) == years


def test_it_refuses_a_negative_age_at_issue() -> None:
    with pytest.raises(ValueError, match="negative"):
        expected_validity_years(-1)


def test_it_accepts_long_term_for_a_holder_aged_46_or_more_at_issue() -> None:
    birth = datetime.date(1960, 3, 1)

    assert span_codes(birth=birth, valid_date="2010.05.01-长期") == []
    assert span_codes(birth=birth, valid_date="2000.05.01-长期") == ["valid_date.span"]
    assert span_codes(birth=birth, valid_date="2010.05.01-2030.05.01") == ["valid_date.span"]


@pytest.mark.parametrize(
    "valid_date",
    ["2010.07.21-2015.07.21", "2010.07.21-2030.07.21", "2010.07.21-长期", "2010.07.21-2020.07.24"],
)
def test_it_warns_when_the_span_does_not_fit_the_age_at_issue(valid_date: str) -> None:
    # Born 1987: 23 at issue, so 10 years.
    period = parse_valid_date(valid_date)
    assert period is not None

    found = check_validity_period(period, birth=datetime.date(1987, 1, 1), today=datetime.date(2011, 1, 1))

    assert codes(found) == ["valid_date.span"]
    assert found[0].severity is Severity.WARNING
    assert "23" in found[0].message_zh and "10" in found[0].message_en


@pytest.mark.parametrize("end", ["2020.07.20", "2020.07.21", "2020.07.22"])
def test_it_allows_an_end_date_a_day_either_side(end: str) -> None:
    assert span_codes(birth=datetime.date(1987, 1, 1), valid_date=f"2010.07.21-{end}") == []


def test_it_allows_the_younger_span_just_after_a_birthday() -> None:
    # 16 on 2010.06.01: an application made before the birthday still gets a 5-year card.
    birth = datetime.date(1994, 6, 1)

    assert span_codes(birth=birth, valid_date="2010.07.01-2015.07.01") == []
    assert span_codes(birth=birth, valid_date="2010.07.01-2020.07.01") == []
    assert span_codes(birth=birth, valid_date="2011.07.01-2016.07.01") == ["valid_date.span"]


def test_it_handles_a_card_issued_on_29_february() -> None:
    # 24 at issue: 10 years, and 2014 has no 29 February.
    birth = datetime.date(1980, 1, 1)

    assert span_codes(birth=birth, valid_date="2004.02.29-2014.02.28") == []
    assert span_codes(birth=birth, valid_date="2004.02.29-2014.03.01") == []
    assert span_codes(birth=birth, valid_date="2004.02.29-2014.03.03") == ["valid_date.span"]


def test_it_rejects_a_card_issued_before_birth() -> None:
    birth = datetime.date(2000, 5, 1)

    found = validate_card(front=front_for(birth), back={"ValidDate": "1999.01.01-2004.01.01"}, today=TODAY)

    assert "valid_date.before_birth" in codes(found)


@pytest.mark.parametrize(
    ("valid_date", "code"),
    [
        ("", "valid_date.empty"),
        ("2010/07/21", "valid_date.format"),
        ("2010.07.21-永久", "valid_date.format"),
        ("2010.13.21-2020.13.21", "valid_date.format"),
        ("2020.07.21-2010.07.21", "valid_date.order"),
        ("2027.01.01-2037.01.01", "valid_date.not_started"),
    ],
)
def test_it_rejects_unreadable_or_impossible_periods(valid_date: str, code: str) -> None:
    assert code in codes(validate_card(back={"ValidDate": valid_date}, today=TODAY))


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2010.07.21-2020.07.21", ValidityPeriod(datetime.date(2010, 7, 21), datetime.date(2020, 7, 21))),
        ("2015.07.24-长期", ValidityPeriod(datetime.date(2015, 7, 24), None)),
        ("2015.7.24 至 长期", ValidityPeriod(datetime.date(2015, 7, 24), None)),
        (
            "２０１０．０７．２１－２０２０．０７．２１",
            ValidityPeriod(datetime.date(2010, 7, 21), datetime.date(2020, 7, 21)),
        ),
    ],
)
def test_it_parses_validity_periods(text: str, period: ValidityPeriod) -> None:
    assert parse_valid_date(text) == period


def test_it_enforces_the_minimum_age_on_the_given_day() -> None:
    birth = datetime.date(2008, 11, 26)
    front = front_for(birth)

    found = validate_card(front=front, today=TODAY)
    assert codes(found) == ["age.under_minimum"]
    assert "18" in found[0].message_zh and "18" in found[0].message_en
    assert validate_card(front=front, today=TODAY + datetime.timedelta(days=1)) == []
    assert validate_card(front=front, today=TODAY, min_age=16) == []


def test_it_counts_age_in_completed_years() -> None:
    leap = datetime.date(2000, 2, 29)

    assert age_on(leap, datetime.date(2018, 2, 28)) == 17
    assert age_on(leap, datetime.date(2018, 3, 1)) == 18
    assert age_on(datetime.date(1987, 1, 1), datetime.date(2010, 7, 21)) == 23


def test_it_checks_a_minority_holder_with_zu_and_a_dotted_name() -> None:
    birth = datetime.date(1970, 8, 15)
    front = front_for(birth, order=2, Name="古丽·买买提", Nation="维吾尔族")

    found = validate_card(front=front, back={"ValidDate": "2020.01.10-长期"}, today=TODAY)

    assert codes(found) == ["nation.suffix"]
    assert not has_errors(found)


def test_it_documents_every_code_it_produces_with_both_languages() -> None:
    scenarios = [
        validate_card(front={}, back={}, today=TODAY),
        validate_card(
            front={**CONTRACT_FRONT, "IdNum": "440524870101001", "Name": "L", "Nation": "汉人"}, today=TODAY
        ),
        validate_card(front=front_for(datetime.date(2015, 1, 1), Sex="女", Birth="2015/1/2"), today=TODAY),
        validate_card(
            front=front_for(datetime.date(1987, 1, 1), Name="·李", Nation="汉族", Sex="x", Birth="?"),
            today=TODAY,
        ),
        validate_card(back={"ValidDate": "2020.07.21-2010.07.21"}, today=TODAY),
        validate_card(back={"ValidDate": "2010.07.21"}, today=TODAY),
        validate_card(
            front=front_for(datetime.date(1990, 1, 1)), back={"ValidDate": "1980.01.01-长期"}, today=TODAY
        ),
        validate_card(
            front=front_for(datetime.date(1990, 1, 1)),
            back={"ValidDate": "2030.01.01-2031.01.01"},
            today=TODAY,
        ),
        validate_card(
            front=front_for(datetime.date(1990, 1, 1)),
            back={"ValidDate": "2010.01.01-2020.01.01"},
            today=TODAY,
        ),
        validate_card(
            front=front_for(datetime.date(1990, 1, 1)),
            back={"ValidDate": "2016.12.01-2026.12.01"},
            today=TODAY,
        ),
    ]
    found = [f for scenario in scenarios for f in scenario]
    assert findings_module.__doc__ is not None

    assert len({f.code for f in found}) >= 18
    for finding in found:
        assert (
            f"``{finding.code}``" in findings_module.__doc__
            or finding.code.split(".")[0] + ".empty" in findings_module.__doc__
        )
        assert finding.message_zh and finding.message_en
        assert finding.message_zh != finding.message_en
        assert any("\u4e00" <= c <= "\u9fff" for c in finding.message_zh)
