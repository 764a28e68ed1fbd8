"""Schemes: the weights, second-level groups, rules and grade bands of one scoring table.

A scheme is data (a TOML file under ``templates/schemes/``; a bureau's own may be TOML or YAML),
never code. :func:`load_scheme` takes a shipped name (``standard``, ``classic``) or a path, checks it
thoroughly and returns a frozen :class:`Scheme`. Everything else in perfxl reads its rules from here.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from perfxl.numbers import to_decimal
from perfxl.scheme import expr

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DIRECTIONS = ("higher", "lower")
FULL_MARKS = Decimal(100)  # every scheme's weights total this; a table's own weights are checked against it
DEFAULT_SCHEME = "standard"
TABLE_SCHEME = "table"  # the name of a scheme taken from a table's own first-level weights
ROUNDINGS = ("round", "truncate")
OPTION_KEYS = {"execution_caps", "overshoot_deduction", "deviation_reason_overshoot",
               "deviation_reason_rate_below", "indicator_rounding"}
RULE_NAMES = {
    "execution_rate": {"executed", "budget", "initial"},
    "budget_score": {"rate", "weight"},
    "higher_is_better": {"actual", "target", "weight"},
    "lower_is_better": {"actual", "target", "weight"},
}


class SchemeError(ValueError):
    """A scheme file that perfxl cannot use; the message says why, in Chinese and English."""


@dataclass(frozen=True)
class Group:
    """A second-level indicator group (二级指标) and how many rows the template gives it."""

    label: str
    rows: int
    direction: str


@dataclass(frozen=True)
class Level:
    """A first-level indicator (一级指标) with its weight."""

    key: str
    label: str
    weight: Decimal
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Band:
    label: str
    min: Decimal
    max: Decimal | None = None  # a grade's written integer upper end (良 80–89): it reaches up to the next band
    words: tuple[str, ...] = ()  # other words clerks write for this grade (优秀 for 优)
    open: bool = False  # a grade reached only above ``min`` (优 "> 90"), not at it


@dataclass(frozen=True)
class Cap:
    """A provincial cap: with an execution rate below ``below`` the total is at most ``max_total``."""

    below: Decimal
    max_total: Decimal


@dataclass(frozen=True)
class Deduction:
    """Points off a higher-is-better indicator whose actual is at least ``at`` × its target."""

    at: Decimal
    points: Decimal


@dataclass(frozen=True)
class Rules:
    execution_rate: expr.Rule
    budget_score: expr.Rule
    higher_is_better: expr.Rule
    lower_is_better: expr.Rule
    overshoot_ratio: Decimal
    score_tolerance: Decimal
    gap_threshold: Decimal  # spending against performance (domain rules: indicators far ahead of execution)
    # Provincial options, all off by default (see docs/rules.md):
    execution_caps: tuple[Cap, ...] = ()  # highest ``below`` first
    overshoot_deduction: Deduction | None = None
    reason_overshoot: Decimal | None = None  # a deviation reason also at actual ≥ this × target
    reason_rate_below: Decimal | None = None  # … and when the execution rate is below this
    indicator_rounding: str = "round"  # or "truncate": the indicator rules' ROUND becomes ROUNDDOWN


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: parsed once, cached
class Scheme:
    name: str
    title: str
    budget_label: str
    budget_weight: Decimal
    levels: tuple[Level, ...]
    rules: Rules
    qualitative: tuple[Band, ...]
    grades: tuple[Band, ...]
    source: str  # the scheme file's text, kept so a template can carry its own scheme
    source_format: str = "toml"  # or "yaml"

    @property
    def total_weight(self) -> Decimal:
        return self.budget_weight + sum((level.weight for level in self.levels), Decimal(0))

    def level(self, key: str) -> Level:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)

    def fingerprint(self) -> str:
        """The weights in one line, for messages: '预算执行10 产出指标40 …'."""
        parts = [f"{self.budget_label}{self.budget_weight}"]
        parts += [f"{level.label}{level.weight}" for level in self.levels]
        return " ".join(parts)


def own_weights(base: Scheme, budget_weight: Decimal, weights: dict[str, tuple[str, Decimal]]) -> Scheme:
    """The scheme of a table whose first-level weights no shipped scheme has (产出60/效益20/满意度10 …).

    ``weights`` maps each level key, in the table's order, to its (label, weight). The rules and
    grade bands stay the base scheme's; the weights are the table's, so the arithmetic is checked
    against what the table itself sets out. Their total need not be 100: the check says so.
    """
    known = {level.key: level for level in base.levels}
    levels = tuple(replace(known[key], weight=weight) if key in known else Level(key, label, weight, ())
                   for key, (label, weight) in weights.items())
    return replace(base, name=TABLE_SCHEME, title=TABLE_SCHEME, budget_weight=budget_weight, levels=levels)


def schemes_dir() -> Path:
    """Shipped schemes: inside the installed package, or ``templates/`` of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates" / "schemes", package.parent / "templates" / "schemes"):
        if candidate.is_dir():
            return candidate
    raise SchemeError("找不到内置方案目录 / shipped schemes not found")


def shipped_schemes() -> list[str]:
    return sorted(path.stem for path in schemes_dir().glob("*.toml"))


FORMATS = ("toml", "yaml")


def load_scheme(name_or_path: str | Path = DEFAULT_SCHEME) -> Scheme:
    """A shipped scheme by name, or a scheme file by path (.toml, or .yaml/.yml)."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = schemes_dir() / f"{name_or_path}.toml"
        if not path.exists():
            raise SchemeError(
                f"未知方案 {name_or_path!r}，可用：{', '.join(shipped_schemes())} 或方案文件路径 / "
                f"unknown scheme {name_or_path!r}"
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemeError(f"无法读取方案文件 {path}: {exc.strerror} / cannot read scheme file") from None
    except UnicodeDecodeError:
        raise SchemeError(f"方案文件 {path} 不是 UTF-8 文本 / not UTF-8 text") from None
    fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml"
    return parse_scheme(text, origin=str(path), fmt=fmt)


@lru_cache(maxsize=64)
def parse_scheme(text: str, origin: str = "<scheme>", fmt: str = "toml") -> Scheme:
    """Parse and check a scheme (cached: a batch carries the same scheme in every template)."""
    if fmt not in FORMATS:
        raise SchemeError(f"方案格式应为 {' 或 '.join(FORMATS)}，实际为 {fmt!r} / unknown scheme format")
    data = _load_yaml(text, origin) if fmt == "yaml" else _load_toml(text, origin)
    try:
        return _build(data, text, fmt)
    except SchemeError as exc:
        raise SchemeError(f"方案文件 {origin}：{exc}") from None


def _load_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"方案文件 {origin} 不是有效的 TOML：{exc} / not valid TOML") from None


def _load_yaml(text: str, origin: str) -> dict[str, Any]:
    """YAML through the safe loader only: plain data, no tags that build objects."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError(f"方案文件 {origin} 不是有效的 YAML：{exc} / not valid YAML") from None
    if not isinstance(data, dict):
        raise SchemeError(f"方案文件 {origin} 的顶层应为键值表 / the top level must be a mapping")
    return data


def _build(data: dict[str, Any], text: str, fmt: str = "toml") -> Scheme:
    _only_keys(data, {"name", "title", "budget", "levels", "rules", "qualitative", "grades"}, "顶层")
    name = _require(data, "name", str, "顶层")
    budget = _require(data, "budget", dict, "顶层")
    _only_keys(budget, {"label", "weight"}, "[budget]")
    levels = tuple(_level(raw, index) for index, raw in enumerate(_require(data, "levels", list, "顶层")))
    if not levels:
        raise SchemeError("至少需要一个一级指标 / at least one level is needed")
    keys = [level.key for level in levels]
    if len(set(keys)) != len(keys):
        raise SchemeError(f"一级指标 key 重复：{keys} / duplicate level keys")
    scheme = Scheme(
        name=name,
        title=str(data.get("title", name)),
        budget_label=str(budget.get("label", "预算执行")),
        budget_weight=_weight(budget.get("weight"), "[budget] weight"),
        levels=levels,
        rules=_rules(_require(data, "rules", dict, "顶层")),
        qualitative=tuple(_band(raw, "[[qualitative]]", with_max=True) for raw in data.get("qualitative", [])),
        grades=_grades(_require(data, "grades", list, "顶层")),
        source=text,
        source_format=fmt,
    )
    if scheme.total_weight != FULL_MARKS:
        raise SchemeError(
            f"权重合计应为 100，实际为 {scheme.total_weight}（{scheme.fingerprint()}）/ "
            f"weights must total 100, got {scheme.total_weight}"
        )
    return scheme


def _level(raw: Any, index: int) -> Level:
    where = f"[[levels]] #{index + 1}"
    if not isinstance(raw, dict):
        raise SchemeError(f"{where} 应为表 / must be a table")
    _only_keys(raw, {"key", "label", "weight", "direction", "groups"}, where)
    direction = raw.get("direction", "higher")
    if direction not in DIRECTIONS:
        raise SchemeError(f"{where} direction 应为 higher 或 lower，实际为 {direction!r}")
    groups = []
    for group_raw in _require(raw, "groups", list, where):
        if not isinstance(group_raw, dict):
            raise SchemeError(f"{where} groups 的每一项应为 {{ label = …, rows = … }}")
        _only_keys(group_raw, {"label", "rows", "direction"}, f"{where} groups")
        rows = group_raw.get("rows", 3)
        if not isinstance(rows, int) or not 1 <= rows <= 50:
            raise SchemeError(f"{where} rows 应为 1–50 的整数，实际为 {rows!r}")
        group_direction = group_raw.get("direction", direction)
        if group_direction not in DIRECTIONS:
            raise SchemeError(f"{where} direction 应为 higher 或 lower，实际为 {group_direction!r}")
        groups.append(Group(_require(group_raw, "label", str, where), rows, group_direction))
    if not groups:
        raise SchemeError(f"{where} 至少需要一个二级指标 / needs at least one group")
    return Level(
        key=_require(raw, "key", str, where),
        label=_require(raw, "label", str, where),
        weight=_weight(raw.get("weight"), f"{where} weight"),
        groups=tuple(groups),
    )


def _rules(raw: dict[str, Any]) -> Rules:
    _only_keys(raw, set(RULE_NAMES) | {"overshoot_ratio", "score_tolerance", "gap_threshold"} | OPTION_KEYS,
               "[rules]")
    rounding = raw.get("indicator_rounding", "round")
    if rounding not in ROUNDINGS:
        raise SchemeError(f"[rules] indicator_rounding 应为 round 或 truncate，实际为 {rounding!r} / "
                          "indicator_rounding must be round or truncate")
    parsed = {}
    for key, allowed in RULE_NAMES.items():
        try:
            rule = expr.parse(_require(raw, key, str, "[rules]"))
        except expr.ExprError as exc:
            raise SchemeError(f"[rules] {key}: {exc}") from None
        unknown = rule.names - allowed
        if unknown:
            raise SchemeError(f"[rules] {key} 使用了未知名称 {sorted(unknown)}，可用 {sorted(allowed)}")
        parsed[key] = rule
    if rounding == "truncate":
        for key in ("higher_is_better", "lower_is_better"):
            parsed[key] = expr.rename_function(parsed[key], "ROUND", "ROUNDDOWN")
        if not any("ROUNDDOWN" in expr.functions_of(parsed[key]) for key in ("higher_is_better", "lower_is_better")):
            raise SchemeError("[rules] indicator_rounding = \"truncate\" 需要指标规则中有 ROUND(…, 位数) / "
                              "truncate needs a ROUND in higher_is_better or lower_is_better")
    return Rules(
        **parsed,
        overshoot_ratio=_weight(raw.get("overshoot_ratio", 1.2), "[rules] overshoot_ratio"),
        score_tolerance=_weight(raw.get("score_tolerance", 0.005), "[rules] score_tolerance"),
        gap_threshold=_weight(raw.get("gap_threshold", 0.05), "[rules] gap_threshold"),
        execution_caps=_caps(raw.get("execution_caps", [])),
        overshoot_deduction=_deduction(raw.get("overshoot_deduction")),
        reason_overshoot=_optional_ratio(raw, "deviation_reason_overshoot", above_one=True),
        reason_rate_below=_optional_ratio(raw, "deviation_reason_rate_below", above_one=False),
        indicator_rounding=rounding,
    )


def _caps(raw: Any) -> tuple[Cap, ...]:
    """[[rules.execution_caps]]: each band's cap, highest ``below`` first, so a rate meets one cap."""
    where = "[[rules.execution_caps]]"
    if not isinstance(raw, list):
        raise SchemeError(f"{where} 应为表的列表 / must be an array of tables")
    caps = []
    for index, item in enumerate(raw):
        at = f"{where} #{index + 1}"
        if not isinstance(item, dict):
            raise SchemeError(f"{at} 应为 {{ below = …, max_total = … }} / must be a table")
        _only_keys(item, {"below", "max_total"}, at)
        below = _weight(item.get("below"), f"{at} below")
        max_total = _weight(item.get("max_total"), f"{at} max_total")
        if not 0 < below <= 1:
            raise SchemeError(f"{at} below 是执行率（如 0.8 即 80%），应在 0 到 1 之间，实际为 {below} / "
                              "below is an execution rate between 0 and 1")
        if max_total > 100:
            raise SchemeError(f"{at} max_total 不能超过 100 / max_total must not exceed 100")
        caps.append(Cap(below, max_total))
    belows = [cap.below for cap in caps]
    if belows != sorted(belows, reverse=True) or len(set(belows)) != len(belows):
        raise SchemeError(f"{where} 应按 below 从高到低排列且不重复：{belows} / caps must go from high to low")
    totals = [cap.max_total for cap in caps]
    if totals != sorted(totals, reverse=True):
        raise SchemeError(f"{where} 执行率越低，max_total 应越低（或相同）：{totals} / "
                          "a lower rate must not allow a higher total")
    return tuple(caps)


def _deduction(raw: Any) -> Deduction | None:
    if raw is None:
        return None
    where = "[rules] overshoot_deduction"
    if not isinstance(raw, dict):
        raise SchemeError(f"{where} 应为 {{ at = 1.3, points = 2 }} / must be a table")
    _only_keys(raw, {"at", "points"}, where)
    at, points = _weight(raw.get("at"), f"{where} at"), _weight(raw.get("points"), f"{where} points")
    if at <= 1:
        raise SchemeError(f"{where} at 是实际值与指标值之比，应大于 1（如 1.3 即 130%），实际为 {at} / at must exceed 1")
    if points == 0:
        raise SchemeError(f"{where} points 应大于 0 / points must be positive")
    return Deduction(at, points)


def _optional_ratio(raw: dict[str, Any], key: str, above_one: bool) -> Decimal | None:
    if key not in raw:
        return None
    value = _weight(raw[key], f"[rules] {key}")
    if above_one and value <= 1:
        raise SchemeError(f"[rules] {key} 应大于 1（如 1.3 即 130%），实际为 {value} / must exceed 1")
    if not above_one and not 0 < value <= 1:
        raise SchemeError(f"[rules] {key} 是执行率，应在 0 到 1 之间（如 0.9 即 90%），实际为 {value} / "
                          "must be a rate between 0 and 1")
    return value


def _band(raw: Any, where: str, with_max: bool) -> Band:
    if not isinstance(raw, dict):
        raise SchemeError(f"{where} 应为表 / must be a table")
    _only_keys(raw, {"label", "min", "max"} if with_max else {"label", "min", "words"}, where)
    words = raw.get("words", [])
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise SchemeError(f"{where} words 应为文字列表 / words must be a list of strings")
    band = Band(
        label=_require(raw, "label", str, where),
        min=_weight(raw.get("min"), f"{where} min"),
        max=_weight(raw.get("max"), f"{where} max") if with_max else None,
        words=tuple(words),
    )
    if band.max is not None and band.max < band.min:
        raise SchemeError(f"{where} {band.label}: max < min")
    return band


def _grades(raw: list[Any]) -> tuple[Band, ...]:
    """Grades from high to low; each reached at its ``min`` (≥) or only above its ``above`` (>)."""
    grades = tuple(_grade(item, index) for index, item in enumerate(raw))
    if not grades:
        raise SchemeError("至少需要一个评价等次 / at least one grade is needed")
    minimums = [grade.min for grade in grades]
    if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
        raise SchemeError(f"评价等次应按分数线从高到低排列：{minimums} / grades must go from high to low")
    if grades[-1].min != 0 or grades[-1].open:
        raise SchemeError("最后一个评价等次的分数线应为 min = 0 / the last grade must start at min = 0")
    for higher, lower in itertools.pairwise(grades):
        if lower.max is None:
            continue
        # 良 80–89 as a notice writes it: the band runs up to the next grade, which must start at 90.
        if higher.open or higher.min != lower.max + 1:
            raise SchemeError(
                f"[[grades]] {lower.label} 的 max = {lower.max} 表示整数分段（{lower.min}–{lower.max}），"
                f"上一等次 {higher.label} 应写 min = {lower.max + 1} / an integer band's next grade must "
                f"start at min = {lower.max + 1}")
    if grades[0].max is not None and grades[0].max != 100:
        raise SchemeError(f"[[grades]] 最高等次 {grades[0].label} 的 max 应为 100 / the top grade's max must be 100")
    return grades


def _grade(raw: Any, index: int) -> Band:
    where = f"[[grades]] #{index + 1}"
    if not isinstance(raw, dict):
        raise SchemeError(f"{where} 应为表 / must be a table")
    _only_keys(raw, {"label", "min", "above", "max", "words"}, where)
    if ("min" in raw) == ("above" in raw):
        raise SchemeError(f"{where} 应写 min（≥，含）或 above（>，不含）其中之一 / give exactly one of min (≥) "
                          "or above (>)")
    words = raw.get("words", [])
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise SchemeError(f"{where} words 应为文字列表 / words must be a list of strings")
    is_open = "above" in raw
    bound = _weight(raw["above" if is_open else "min"], f"{where} {'above' if is_open else 'min'}")
    top = None
    if "max" in raw:
        top = _weight(raw["max"], f"{where} max")
        if is_open or top != top.to_integral_value() or bound != bound.to_integral_value() or top < bound:
            raise SchemeError(f"{where} max 只用于整数分段（min 与 max 均为整数，如 80–89）/ max is for integer "
                              "bands: integer min and max")
    return Band(label=_require(raw, "label", str, where), min=bound, max=top, words=tuple(words), open=is_open)


def _weight(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SchemeError(f"{where} 应为数字，实际为 {value!r} / must be a number")
    number = to_decimal(value)
    if number < 0:
        raise SchemeError(f"{where} 不能为负数 / must not be negative")
    return number


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise SchemeError(f"{where} 缺少 {key!r} / missing {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise SchemeError(f"{where} {key!r} 类型错误 / {key!r} must be {kind.__name__}")
    return value


def _only_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SchemeError(f"{where} 含未知键 {unknown}，允许 {sorted(allowed)} / unknown keys {unknown}")
