"""Property-based tests: the check character, the parsers and the validity span rule."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from onboarding.identity import (
    ValidityPeriod,
    age_on,
    check_character,
    check_validity_period,
    codes,
    expected_validity_years,
    format_birth,
    format_valid_date,
    is_valid_checksum,
    parse_birth,
    parse_id_number,
    parse_valid_date,
)
from tests.identity.helpers import reference_check

# No deadline: the machine is shared, and speed is for benchmarks, not tests.
lean = settings(max_examples=150, deadline=None)

seventeen_digits = st.text(alphabet="0123456789", min_size=17, max_size=17)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31))


@lean
@given(seventeen_digits)
def test_it_makes_any_17_digits_valid_with_the_check_character(first17: str) -> None:
    check = check_character(first17)

    assert check == reference_check(first17)
    assert is_valid_checksum(first17 + check)
    assert is_valid_checksum((first17 + check).lower())


@lean
@given(seventeen_digits, st.integers(min_value=0, max_value=17), st.data())
def test_it_catches_any_single_changed_character(first17: str, position: int, data: st.DataObject) -> None:
    number = first17 + check_character(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]

    assert not is_valid_checksum(changed)
    assert "id_number.checksum" in codes(parse_id_number(changed, today=datetime.date(2100, 1, 1)).findings)


@lean
@given(seventeen_digits, st.integers(min_value=0, max_value=15))
def test_it_catches_two_swapped_neighbouring_digits(first17: str, position: int) -> None:
    number = first17 + check_character(first17)
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]

    assert is_valid_checksum(swapped) == (swapped == number)


@lean
@given(st.text(max_size=30))
def test_it_never_raises_on_arbitrary_text(text: str) -> None:
    info = parse_id_number(text, today=datetime.date(2026, 1, 1))

    assert info.is_valid == (not any(f.severity == "error" for f in info.findings))
    assert parse_birth(text) is None or isinstance(parse_birth(text), datetime.date)
    assert parse_valid_date(text) is None or isinstance(parse_valid_date(text), ValidityPeriod)


@lean
@given(dates)
def test_it_round_trips_birth_dates(birth: datetime.date) -> None:
    text = format_birth(birth)

    assert parse_birth(text) == birth
    assert "/0" not in text  # no zero padding
    assert parse_birth(f"{birth:%Y/%m/%d}") == birth


@lean
@given(dates, st.one_of(st.none(), dates))
def test_it_round_trips_validity_periods(start: datetime.date, end: datetime.date | None) -> None:
    period = ValidityPeriod(start=start, end=end)
    text = format_valid_date(period)

    assert parse_valid_date(text) == period
    assert text.endswith("长期") == (end is None)


def anniversary(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@lean
@given(dates, st.integers(min_value=0, max_value=90), st.integers(min_value=0, max_value=365))
def test_it_accepts_the_span_the_age_at_issue_calls_for(
    birth: datetime.date, age: int, extra_days: int
) -> None:
    start = birth + datetime.timedelta(days=round(age * 365.25) + extra_days)
    years = expected_validity_years(age_on(birth, start))
    end = None if years is None else anniversary(start, years)

    found = check_validity_period(ValidityPeriod(start=start, end=end), birth=birth, today=start)

    assert "valid_date.span" not in codes(found)


@lean
@given(dates, st.integers(min_value=0, max_value=44), st.sampled_from([1, 2, 3, 7, 15, 30]))
def test_it_warns_about_a_span_no_age_calls_for(birth: datetime.date, age: int, years: int) -> None:
    start = birth + datetime.timedelta(days=round(age * 365.25) + 100)
    long_term = ValidityPeriod(start=start, end=None)
    fixed = ValidityPeriod(start=start, end=anniversary(start, years))

    # Under 45 at issue (even allowing for the application lead): never 长期.
    assert "valid_date.span" in codes(check_validity_period(long_term, birth=birth, today=start))
    assert "valid_date.span" in codes(check_validity_period(fixed, birth=birth, today=start))
