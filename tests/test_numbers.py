"""Rounding, tolerance and reading numbers as people type them."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from perfxl.numbers import (
    format_number,
    json_number,
    parse_number,
    parse_quantity,
    round_half_up,
    sum_within_tolerance,
    to_decimal,
)


def test_round_half_away_from_zero_like_excel():
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")
    assert round_half_up(Decimal("-2.675")) == Decimal("-2.68")
    assert round_half_up(0.125) == Decimal("0.13")  # Python's round(0.125, 2) gives 0.12
    assert round_half_up(Decimal("14.845")) == Decimal("14.85")
    assert round_half_up(Decimal("7.2596"), 2) == Decimal("7.26")


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=4))
def test_round_half_up_ties_go_away_from_zero(units, places):
    # value = units + 0.5 at the digit after `places`: always a tie
    value = (Decimal(units) + Decimal("0.5")).scaleb(-places)
    rounded = round_half_up(value, places)
    assert abs(rounded) > abs(value)
    assert abs(rounded - value) == Decimal("0.5").scaleb(-places)


@given(st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, places=6))
def test_round_half_up_matches_decimal_definition(value):
    assert round_half_up(value) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(round_half_up(value) - value) <= Decimal("0.005")


def test_rounded_amounts_use_interval_tolerance():
    # Seed 000: 基本支出 501.65 = 人员经费 415.13 + 公用经费 86.51 (= 501.64) passes.
    assert sum_within_tolerance(Decimal("501.65"), 2, [(Decimal("415.13"), 2), (Decimal("86.51"), 2)])
    # Seed 003: 598.25 + 16 + 27.76 = 642.01
    assert sum_within_tolerance(Decimal("642.01"), 2, [(Decimal("598.25"), 2), (Decimal(16), 0),
                                                       (Decimal("27.76"), 2)])
    assert not sum_within_tolerance(Decimal("642.01"), 2, [(Decimal("600.00"), 2)])
    assert not sum_within_tolerance(Decimal("501.67"), 2, [(Decimal("415.13"), 2), (Decimal("86.51"), 2)])


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
       st.sampled_from(["", "万元", "元", "场", "次", "分", "人", "个"]),
       st.sampled_from(["", "≥", "≤", ">", "<", "=", ">=", "<="]),
       st.booleans(), st.booleans())
def test_numbers_written_with_units_read_back(number, unit, op, full_width, spaces):
    text = f"{op}{' ' if spaces else ''}{number}{' ' if spaces else ''}{unit}"
    if full_width:
        text = text.translate(str.maketrans("0123456789.<>=", "０１２３４５６７８９．＜＞＝"))
    parsed = parse_quantity(text)
    assert parsed is not None
    assert parsed[1] == number
    assert parse_number(text) == number


@given(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False), st.sampled_from(["%", "％"]))
def test_percentages_read_as_fractions(number, sign):
    assert parse_number(f"{number}{sign}") == number / 100


def test_typical_cells():
    assert parse_quantity("≥5场") == ("≥", Decimal(5), "场")
    assert parse_quantity("≤476.74万元") == ("≤", Decimal("476.74"), "万元")
    assert parse_quantity("=100%") == ("=", Decimal(1), "%")
    assert parse_number("９７") == Decimal(97)
    assert parse_number("97分") == Decimal(97)
    assert parse_number("642.01万元") == Decimal("642.01")
    assert parse_number(" 1,234.50 ") == Decimal("1234.50")
    for text in ("提升", "达成年度指标", "全年", "", "五场", "5场和6次", "12-15"):
        assert parse_number(text) is None


@given(st.text(max_size=40))
def test_garbage_never_raises(text):
    result = parse_number(text)
    assert result is None or isinstance(result, Decimal)


def test_display_and_json_numbers():
    assert format_number(Decimal("97.00")) == "97"
    assert format_number(Decimal("14.845")) == "14.85"
    assert format_number(Decimal("7.50")) == "7.5"
    assert json_number(Decimal("95")) == 95 and isinstance(json_number(Decimal("95.00")), int)
    assert json_number(Decimal("14.845")) == 14.85
    assert json_number(None) is None


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=0, max_value=4))
def test_any_cell_number_rounds_displays_and_serialises(value, places):
    """Excel cells hold up to 1E+308; a fuzzed 1E+26 once broke decimal's 28-digit quantize."""
    rounded = round_half_up(value, places)
    assert rounded.as_tuple().exponent == -places
    assert abs(rounded - to_decimal(value)) <= Decimal(1).scaleb(-places) / 2
    assert format_number(to_decimal(value))  # never raises
    assert json_number(to_decimal(value)) is not None


def test_infinities_pass_through():
    assert round_half_up(Decimal("Infinity")) == Decimal("Infinity")
    assert round_half_up(Decimal("NaN")).is_nan()
