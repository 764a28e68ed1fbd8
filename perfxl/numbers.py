"""Numbers the way the finance bureau means them: decimal, rounded half away from zero.

Scores and amounts are kept as :class:`~decimal.Decimal` from the moment they are read, so that
642.01 stays 642.01 and never becomes 642.0099999. Python's ``round`` rounds half to even; Excel's
ROUND (and the bureau) rounds half away from zero, which is what :func:`round_half_up` does.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext


def round_half_up(value: Decimal | float | int, places: int = 2) -> Decimal:
    """Round like Excel's ROUND: 2.675 → 2.68, -2.675 → -2.68.

    Works for any number a cell can hold (up to 1E+308), not only those within decimal's default
    28 digits; infinities and NaN come back unchanged.
    """
    number = to_decimal(value)
    if not number.is_finite():
        return number
    quantum = Decimal(1).scaleb(-places)
    digits = number.adjusted() + places + 2
    if digits <= 28:
        return number.quantize(quantum, rounding=ROUND_HALF_UP)
    with localcontext() as context:
        context.prec = digits
        return number.quantize(quantum, rounding=ROUND_HALF_UP)


def to_decimal(value: Decimal | float | int | str) -> Decimal:
    """Exact decimal of a number; floats go through ``repr`` so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def decimals_written(text: str) -> int:
    """How many decimals a number was written with: '501.65' → 2, '16' → 0."""
    _, _, fraction = text.strip().partition(".")
    return len(fraction.rstrip()) if fraction.isdigit() else 0


def sum_within_tolerance(total: Decimal, total_places: int, parts: list[tuple[Decimal, int]]) -> bool:
    """XBRL Calculations 1.1: each rounded value is an interval; flag only intervals that cannot meet.

    ``parts`` holds (value, decimals written). 501.65 vs 415.13 + 86.51 passes; 642.01 vs 600 fails.
    """
    half = Decimal("0.5")
    slack = half * Decimal(1).scaleb(-total_places)
    for _, places in parts:
        slack += half * Decimal(1).scaleb(-places)
    return abs(total - sum((value for value, _ in parts), Decimal(0))) <= slack


def format_number(value: Decimal | None, places: int = 2) -> str:
    """Short human form: 97 → '97', 14.85 → '14.85', 7.50 → '7.5'."""
    if value is None:
        return ""
    rounded = round_half_up(value, places)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def json_number(value: Decimal | None, places: int = 2) -> int | float | None:
    """A JSON number rounded to ``places``: integers stay integers (97, not 97.0)."""
    if value is None:
        return None
    rounded = round_half_up(value, places)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


# --- reading numbers typed by people -----------------------------------------------------------

#: Comparison signs as provinces type them ('≧', '═' from box-drawing fonts) → the sign perfxl uses.
_OPERATORS = {"≥": "≥", ">=": "≥", "＞＝": "≥", "≧": "≥", ">": ">", "≤": "≤", "<=": "≤", "≦": "≤",
              "<": "<", "=": "=", "==": "=", "═": "="}
_NUMBER = re.compile(r"^([≥≤≧≦═<>=]{0,2})\s*([+-]?(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+))\s*(.*)$")


_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), no stray spaces or line breaks."""
    if not text:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def parse_quantity(text: str) -> tuple[str, Decimal, str] | None:
    """'≥5场' → ('≥', 5, '场'); '96%' → ('', 0.96, '%'); '６４２．０１万元' → ('', 642.01, '万元').

    Returns None for text that is not a number with an optional operator and unit.
    """
    cleaned = normalise_text(text).replace("％", "%")
    match = _NUMBER.match(cleaned)
    if not match:
        return None
    operator_text, number_text, unit = match.groups()
    if operator_text and operator_text not in _OPERATORS:
        return None
    if unit and not _looks_like_unit(unit):
        return None
    try:
        number = Decimal(number_text.replace(",", ""))
    except InvalidOperation:
        return None
    if unit == "%":
        number = number / 100
    return _OPERATORS.get(operator_text, ""), number, unit


def _looks_like_unit(unit: str) -> bool:
    """A unit is short and carries no digits ('万元', '场', '%', '分'); '5场和6次' is not a number."""
    return len(unit) <= 8 and not any(ch.isdigit() for ch in unit)


def parse_text_number(text: str) -> str:
    """The digits of a typed number as written ('642.01万元' → '642.01'), for counting decimals."""
    match = _NUMBER.match(normalise_text(text).replace("％", "%"))
    return match.group(2) if match else ""


def parse_number(value: object) -> Decimal | None:
    """A number from a cell value: numbers pass, text is read with units and full-width digits."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return to_decimal(value)
    parsed = parse_quantity(str(value))
    return None if parsed is None else parsed[1]
