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


def _as_yaml(scheme) -> str:
    import sys

    import yaml

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return yaml.safe_dump(tomllib.loads(scheme.source), allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("name", ["standard", "classic"])
def test_a_yaml_scheme_is_the_same_scheme(tmp_path, name):
    toml_scheme = load_scheme(name)
    path = tmp_path / f"{name}.yaml"
    path.write_text(_as_yaml(toml_scheme), encoding="utf-8")
    yaml_scheme = load_scheme(str(path))
    assert yaml_scheme.source_format == "yaml"
    for attribute in ("name", "budget_weight", "levels", "qualitative", "grades"):
        assert getattr(yaml_scheme, attribute) == getattr(toml_scheme, attribute), attribute
    names = ("execution_rate", "budget_score", "higher_is_better", "lower_is_better")
    assert [getattr(yaml_scheme.rules, n).text for n in names] == [getattr(toml_scheme.rules, n).text for n in names]
    assert (yaml_scheme.rules.overshoot_ratio, yaml_scheme.rules.score_tolerance) == (
        toml_scheme.rules.overshoot_ratio, toml_scheme.rules.score_tolerance)


@pytest.mark.parametrize(("text", "message"), [
    ("name: [unclosed", "不是有效的 YAML"),
    ("- just\n- a list\n", "顶层应为键值表"),
    ("!!python/object/apply:os.system ['true']", "不是有效的 YAML"),  # the safe loader builds no objects
])
def test_bad_yaml_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError, match=message):
        load_scheme(str(path))


def test_yaml_scheme_checks_like_toml(tmp_path):
    path = tmp_path / "heavy.yaml"
    path.write_text(_as_yaml(STANDARD).replace("weight: 40", "weight: 45"), encoding="utf-8")
    with pytest.raises(SchemeError, match="权重合计应为 100"):
        load_scheme(str(path))
