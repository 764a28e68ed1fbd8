"""How a corpus test compares what reconcile says with what its builder expected."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

#: Codes whose expected and found values are fractions (rates, shares), compared to 4 decimals.
FRACTION_CODES = {"EXECUTION_RATE_MISMATCH", "SPENDING_PERFORMANCE_GAP", "NARRATIVE_MISMATCH"}
TABLE_FIELDS = ("sheet", "kind", "title", "declared_total", "computed_total", "declared_grade", "computed_grade")
FILE_FIELDS = ("declared_total", "computed_total", "declared_grade", "computed_grade")


def norm(value, places: int = 2):
    """Numbers rounded half away from zero to ``places`` (1 and 1.00 compare and hash alike); text stripped."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0
    return str(value).strip()


def finding_key(code, sheet, cell, expected, found) -> tuple:
    places = 4 if code in FRACTION_CODES else 2
    return (code, sheet, cell, norm(expected, places), norm(found, places))


def table_key(get) -> tuple:
    values = {name: get(name) for name in TABLE_FIELDS}
    values["title"] = values["title"] or ""
    return tuple(norm(values[name]) for name in TABLE_FIELDS)


def diff(got: Counter, want: Counter) -> str:
    missing = sorted(map(str, (want - got).elements()))
    unexpected = sorted(map(str, (got - want).elements()))
    return f"missing: {missing}\nunexpected: {unexpected}"
