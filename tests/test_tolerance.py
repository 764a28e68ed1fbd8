"""One score tolerance: every check takes it from the scheme (``[rules] score_tolerance``).

Each case is a score 0.03 away from what it should be: a finding under the shipped tolerance (0.005),
none under a scheme that allows 0.05.
"""

from dataclasses import replace
from decimal import Decimal

import pytest
from samples import LIWAN_2022, LUSONG_2024
from tables import table_from_sample

from perfxl.checking import cross, narrative
from perfxl.checking.tables import check_table
from perfxl.model import Fact
from perfxl.scheme import load_scheme

D = Decimal
STANDARD = load_scheme("standard")
LOOSE = replace(STANDARD, rules=replace(STANDARD.rules, score_tolerance=D("0.05")))

CASES = {
    "total": (LUSONG_2024, {"total": "97.03"}, "TOTAL_MISMATCH"),
    "subtotal": (LUSONG_2024, {"subtotal_output": "40.03"}, "SUBTOTAL_MISMATCH"),
    "budget score": (LIWAN_2022, {"rate": "72.6%", "score": "7.29"}, "BUDGET_SCORE_MISMATCH"),
    "rule": (LUSONG_2024.with_row(11, score="14.88"), {}, "SCORE_RULE_MISMATCH"),
    "band": (LUSONG_2024.with_row(11, score="14.85").with_row(6, score="3.97", reason="宣传力度不足"), {}, "SCORE_RULE_MISMATCH"),
}


def _codes(sample, declared, scheme):
    return [f.code for f in check_table(table_from_sample(sample, scheme, **declared), scheme)[1]]


@pytest.mark.parametrize("case", CASES)
def test_each_table_check_honours_the_scheme_tolerance(case):
    sample, declared, code = CASES[case]
    assert STANDARD.rules.score_tolerance == D("0.005")
    assert code in _codes(sample, declared, STANDARD)
    assert code not in _codes(sample, declared, LOOSE)


def test_a_report_text_sum_honours_the_scheme_tolerance():
    sentence = "产出指标得分40分，效益指标得分30.03分，总得分70分"
    strict = narrative._score_claims(sentence, 1, None, STANDARD)
    assert [(f.expected, f.found) for f in strict] == [(D("70.03"), D("70"))]
    assert narrative._score_claims(sentence, 1, None, LOOSE) == []


def test_cross_document_scores_honour_the_scheme_tolerance():
    mine, theirs = Fact("total", D("97.03")), Fact("total", D("97"))
    assert not cross._agree(mine, theirs, STANDARD)
    assert cross._agree(mine, theirs, LOOSE)
