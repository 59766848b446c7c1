"""Money helpers: Decimal in the domain, integer fen in fact tables, half-up to the cent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescope.core.money import InvalidAmount, from_fen, parse_amount, quantize_cents, to_fen

fen_values = st.integers(min_value=-(10**15), max_value=10**15)
cent_amounts = fen_values.map(lambda fen: Decimal(fen) / 100)


@given(fen_values)
def test_fen_round_trips_through_decimal(fen):
    assert to_fen(from_fen(fen)) == fen


@given(cent_amounts)
def test_cent_amounts_round_trip_through_fen(amount):
    assert from_fen(to_fen(amount)) == amount


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False))
def test_quantize_is_never_more_than_half_a_cent_away(amount):
    rounded = quantize_cents(amount)
    assert abs(rounded - amount) <= Decimal("0.005")
    assert rounded.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("1.004", "1.00"),
        ("1.0049999", "1.00"),
    ],
)
def test_rounding_is_half_up_away_from_zero(amount, expected):
    assert quantize_cents(Decimal(amount)) == Decimal(expected)


def test_to_fen_rounds_half_up():
    assert to_fen("0.005") == 1
    assert to_fen("12.345") == 1235
    assert to_fen(Decimal("-12.345")) == -1235
    assert to_fen(7) == 700


def test_from_fen_treats_none_as_zero():
    assert from_fen(None) == Decimal("0.00")
    assert from_fen(123456) == Decimal("1234.56")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1,234.50", Decimal("1234.50")),
        ("￥1，234.5", Decimal("1234.5")),
        ("1 234 567.89", Decimal("1234567.89")),
        ("  -42 ", Decimal("-42")),
        ("0", Decimal("0")),
        (Decimal("3.14"), Decimal("3.14")),
        (12, Decimal("12")),
    ],
)
def test_parse_amount_accepts_common_ways_of_writing_money(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "NaN", "nan", "Infinity", "-Infinity", "inf", "", "1.2.3", "12元"]
)
def test_parse_amount_refuses_what_is_not_a_finite_amount(text):
    with pytest.raises(InvalidAmount):
        parse_amount(text)


def test_parse_amount_refuses_non_finite_decimals():
    with pytest.raises(InvalidAmount):
        parse_amount(Decimal("NaN"))
