"""Scheme files: shipped ones load, broken ones are refused with a clear message."""

import pytest

from perfxl.scheme import SchemeError, load_scheme, parse_scheme, shipped_schemes

STANDARD = load_scheme("standard")


def test_shipped_schemes():
    assert {"standard", "classic"} <= set(shipped_schemes())
    assert [(lv.label, lv.weight) for lv in STANDARD.levels] == [
        ("产出指标", 40), ("效益指标", 20), ("满意度指标", 10), ("成本指标", 20)]
    assert STANDARD.budget_weight == 10 and STANDARD.total_weight == 100
    classic = load_scheme("classic")
    assert [lv.weight for lv in classic.levels] == [50, 30, 10]
    cost_group = next(g for g in classic.levels[0].groups if g.label == "成本指标")
    assert cost_group.direction == "lower"


def test_scheme_from_a_file(tmp_path):
    path = tmp_path / "hubei.toml"
    text = STANDARD.source.replace('name = "standard"', 'name = "local"')
    path.write_text(text, encoding="utf-8")
    assert load_scheme(str(path)).name == "local"


@pytest.mark.parametrize(("change", "message"), [
    (("weight = 40", "weight = 45"), "权重合计应为 100"),
    (('key = "output"', 'key = "output"\ncolour = "red"'), "未知键"),
    (('execution_rate = "ROUND(executed / budget, 4)"', 'execution_rate = "ROUND(spent / budget, 4)"'), "未知名称"),
    (('execution_rate = "ROUND(executed / budget, 4)"', 'execution_rate = "import os"'), "无法解析"),
    (('label = "良"\nmin = 80', 'label = "良"\nmin = 95'), "从高到低"),
    (('direction = "lower"', 'direction = "down"'), "direction"),
    (("rows = 6", "rows = 0"), "rows"),
    (("weight = 40", 'weight = "40"'), "应为数字"),
])
def test_invalid_schemes_are_refused(change, message):
    old, new = change
    assert old in STANDARD.source
    with pytest.raises(SchemeError, match=message):
        parse_scheme(STANDARD.source.replace(old, new, 1))


def test_unknown_scheme_name_lists_the_shipped_ones():
    with pytest.raises(SchemeError, match="standard"):
        load_scheme("nonexistent")


def test_not_toml():
    with pytest.raises(SchemeError, match="TOML"):
        parse_scheme("this is = = not toml")
