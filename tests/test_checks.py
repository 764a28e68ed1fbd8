"""The arithmetic and rule checks on a table, with no file involved."""

from decimal import Decimal

from samples import EBIAN_2024, LIWAN_2022, LUSONG_2024
from tables import table_from_sample

from perfxl.checking.tables import check_table
from perfxl.scheme import load_scheme

D = Decimal
STANDARD = load_scheme("standard")
CLASSIC = load_scheme("classic")


def findings(table, scheme=STANDARD):
    return check_table(table, scheme)[1]


def codes(table, scheme=STANDARD):
    return sorted(f.code for f in findings(table, scheme))


def test_seed_003_as_published_scores_97_with_one_rule_warning():
    table = table_from_sample(LUSONG_2024, STANDARD, rate="1", score="10", total="97", grade="优")
    result, found = check_table(table, STANDARD)
    assert result.total == 97 and result.grade == "优" and result.rate == 1 and result.budget_score == 10
    assert [f.code for f in found] == ["SCORE_RULE_MISMATCH"]
    warning = found[0]
    assert (warning.expected, warning.found) == (D("14.85"), D(17))
    assert warning.severity == "warning"


def test_the_97_case():
    # A row lowered by 2 (with its reason) and the total typed over as 97: the rows add to 95.
    sample = LUSONG_2024.with_row(2, actual="60", score="3", reason="受天气影响部分场次取消")
    table = table_from_sample(sample, STANDARD, total="97", grade="优")
    total = [f for f in findings(table) if f.code == "TOTAL_MISMATCH"]
    assert len(total) == 1
    assert (total[0].cell, total[0].expected, total[0].found) == ("I49", D(95), D(97))


def test_clean_tables_give_no_findings():
    assert findings(table_from_sample(EBIAN_2024, CLASSIC, total="100", grade="优"), CLASSIC) == []


def test_spending_far_behind_performance_is_questioned():
    """Seed 002: indicators 88 of 90 (97.78%) against execution 72.60% → a warning, nothing else."""
    found = findings(table_from_sample(LIWAN_2022, STANDARD, rate="72.6%", score="7.26", total="95.26",
                                       grade="优"))
    assert [(f.code, f.cell, f.expected, f.found, f.severity) for f in found] == [
        ("SPENDING_PERFORMANCE_GAP", "L4", D("0.7260"), D("0.9778"), "warning")]
    assert found[0].params["gap"] == "25.18%"


def test_score_above_weight_and_negative():
    table = table_from_sample(LUSONG_2024.with_row(0, score="6").with_row(1, score="-1", reason="x"), STANDARD)
    over = [f for f in findings(table) if f.code == "SCORE_OVER_WEIGHT"]
    assert [(f.expected, f.found, f.variant) for f in over] == [(D(5), D(6), ""), (D(0), D(-1), "negative")]


def test_weights_that_do_not_add_up():
    table = table_from_sample(LUSONG_2024.with_row(0, weight="6"), STANDARD)
    weight = [f for f in findings(table) if f.code == "WEIGHT_MISMATCH"]
    assert [(f.expected, f.found) for f in weight] == [(D(40), D(41))]
    assert weight[0].cell == "H-output"


def test_declared_rate_and_budget_score_are_recomputed():
    table = table_from_sample(LIWAN_2022, STANDARD, rate="80%", score="8")
    got = {f.code: f for f in findings(table)}
    assert got["EXECUTION_RATE_MISMATCH"].expected == D("0.7260")
    assert got["EXECUTION_RATE_MISMATCH"].found == D("0.8")
    assert got["BUDGET_SCORE_MISMATCH"].expected == D("7.26")
    # 72.6% typed with one decimal stands for 72.55%–72.65%: it agrees with 72.5963…%
    assert "EXECUTION_RATE_MISMATCH" not in codes(table_from_sample(LIWAN_2022, STANDARD, rate="72.6%"))


def test_grade_follows_the_recomputed_total():
    sample = LUSONG_2024.with_row(11, score="5", reason="超支")
    table = table_from_sample(sample, STANDARD, total="97", grade="优")
    got = {f.code: f for f in findings(table)}
    assert got["TOTAL_MISMATCH"].expected == 85
    assert (got["GRADE_MISMATCH"].expected, got["GRADE_MISMATCH"].found) == ("良", "优")


def test_missing_and_unparseable_values():
    sample = LUSONG_2024.with_row(0, score="").with_row(1, weight="五分")
    table = table_from_sample(sample, STANDARD)
    got = [(f.code, f.found) for f in findings(table) if f.code in ("MISSING_VALUE", "UNPARSEABLE_VALUE")]
    assert ("MISSING_VALUE", None) in got
    assert ("UNPARSEABLE_VALUE", "五分") in got


def test_deviation_reason_needed_below_full_marks():
    table = table_from_sample(LUSONG_2024.with_row(11, reason=""), STANDARD)
    assert "DEVIATION_REASON_MISSING" in codes(table)


def test_qualitative_score_outside_its_band():
    table = table_from_sample(LUSONG_2024.with_row(6, score="3", reason="宣传力度不足"), STANDARD)
    band = [f for f in findings(table) if f.code == "SCORE_RULE_MISMATCH" and f.variant == "band"]
    assert len(band) == 1 and band[0].expected == "4–5"


def test_blank_and_none_rows_are_ignored():
    sample = LUSONG_2024
    rows = (*sample.rows, sample.rows[0].__class__("cost", "社会成本指标", "无", "", "", "", "", "", ""))
    from dataclasses import replace

    assert codes(table_from_sample(replace(sample, rows=rows), STANDARD)) == ["SCORE_RULE_MISMATCH"]


def test_a_stored_rate_is_as_precise_as_the_percentage_shown():
    """A rate stored as the number 1 (shown 100%) does not pass against a true 72.60% (issue 10)."""
    stored_one = table_from_sample(LIWAN_2022, STANDARD, rate=D(1), score="7.26")
    assert stored_one.funds["rate"].value == D(1)
    mismatch = [f for f in findings(stored_one) if f.code == "EXECUTION_RATE_MISMATCH"]
    assert [(f.expected, f.found) for f in mismatch] == [(D("0.7260"), D(1))]
    # Shown as '100%' (whole percent), a stored 0.996 stands for 99.5%–100.5%; shown '0.00%' it does not.
    near = table_from_sample(LUSONG_2024, STANDARD, rate=D(1), score="10")
    near.funds["executed"].assign(D("639.44"))  # 639.44 / 642.01 = 99.60%
    near.funds["rate"].shown_places = 2
    assert "EXECUTION_RATE_MISMATCH" not in codes(near)
    near.funds["rate"].shown_places = 4
    assert "EXECUTION_RATE_MISMATCH" in codes(near)


def test_grade_words_follow_the_scheme_synonyms():
    """良好 is 良 and 优秀 is 优 (domain rules §3); a word naming no grade is still a mismatch."""
    def grade_codes(grade: str) -> list[str]:
        table = table_from_sample(LUSONG_2024, STANDARD, rate="1", score="10", total="97", grade=grade)
        return [f.code for f in findings(table) if f.code == "GRADE_MISMATCH"]

    assert grade_codes("优秀") == [] and grade_codes(" 优 ") == []
    assert grade_codes("良好") == ["GRADE_MISMATCH"] and grade_codes("很好") == ["GRADE_MISMATCH"]


def test_dated_targets_are_qualitative_text():
    """'2024年12月31日前' and '2024-2025年度' are targets in words, not unreadable numbers (issue 10)."""
    sample = LUSONG_2024.with_row(6, target="2024年12月31日前", actual="2024年12月31日前", score="5")
    table = table_from_sample(sample, STANDARD, rate="1", score="10", total="97", grade="优")
    assert "UNPARSEABLE_VALUE" not in codes(table)
    sample = LUSONG_2024.with_row(6, target="2024-2025年度", actual="已完成", score="5")
    assert "UNPARSEABLE_VALUE" not in codes(table_from_sample(sample, STANDARD, rate="1", score="10"))
