"""The words of a scoring table: header labels and their synonyms, row labels, placeholders.

Both sides use this one list. The template writer prints the first word of each entry (the label
perfxl's own template carries); the readers accept every word of the entry, in any province's
spelling. A new synonym seen on a published table goes here and nowhere else.

Words are compared normalised (see :func:`label`): no spaces, half-width, round brackets, no
colons; headers also without the column letters and units they carry (:func:`header_word`:
``全年预算数（A）``, ``执行率（%）``, ``金额（万元）``). Numbers, their units and comparison signs
("9.5分", "≧5场") are read by :func:`perfxl.numbers.parse_quantity`.
"""

from __future__ import annotations

import re

from perfxl.numbers import normalise_text

#: Indicator block headers: column key → synonyms, the template's own label first.
INDICATOR_HEADERS: dict[str, tuple[str, ...]] = {
    "level": ("一级指标",),
    "group": ("二级指标",),
    "name": ("三级指标", "指标名称", "绩效指标名称", "指标内容"),
    "op": ("符号", "计算符号", "指标值符号", "指标性质"),
    "target": ("年度指标值", "指标值", "年度目标值", "目标值", "预期指标值", "年度预期指标值", "计划指标值"),
    "unit": ("单位", "计量单位", "度量单位"),
    "actual": ("实际完成值", "全年实际完成值", "实际值", "完成值", "全年实际值", "实际完成情况"),
    "weight": ("分值", "权重", "权重分值", "标准分值", "标准分", "指标分值"),
    "score": ("得分", "自评得分", "评分", "实际得分", "自评分", "自评分值"),
    "reason": ("偏差原因分析及改进措施", "未完成原因分析", "偏差原因", "偏差原因分析", "原因分析及改进措施",
               "未完成原因分析及改进措施", "偏差原因及改进措施"),
}
#: The template's only extra column (a formula; never read from a hand-made form).
REFERENCE_SCORE = "参考得分"
#: Columns a scoring table must have for its rows to be scored.
REQUIRED = ("name", "weight", "score")
#: Headers beside the indicator columns that hold no figure perfxl checks (评分标准, 备注…).
IGNORED_HEADERS = ("评分标准", "评分规则", "指标解释", "备注", "序号")
#: A header over the target/unit columns of a two-row header (年度指标值 over 指标性质/指标值/度量单位).
TARGET_GROUP_HEADERS = ("年度指标值", "年度目标值", "绩效指标值")

#: The funds block's column headers (年初预算数 … 得分), the template's label first.
FUNDS_HEADERS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初预算", "年初数"),
    "budget": ("全年预算数", "调整后预算数", "全年预算", "调整后预算", "预算数"),
    "executed": ("全年执行数", "预算执行数", "实际执行数", "执行数", "全年实际支出", "实际支出"),
    "weight": ("分值", "权重"),
    "rate": ("执行率", "预算执行率"),
    "score": ("得分",),
}
#: The funds row, the template's label first.
FUNDS_ROW = ("年度资金总额", "资金总额", "项目资金总额", "年度资金合计", "总额")
#: Rows under the funds row that repeat its amounts for one source (its figures when the total row is empty).
FUNDS_SOURCE_ROWS = ("当年财政拨款", "本年财政拨款", "财政拨款")
#: Labels beside the department's (or unit's) name.
DEPARTMENT_LABELS = ("部门(单位)名称", "部门名称", "单位名称", "预算部门名称", "预算单位名称", "项目单位",
                     "市级预算部门(单位)名称", "主管部门", "实施单位")
#: First-level labels: a keyword each label holds → the level key.
LEVEL_KEYWORDS = (("产出", "output"), ("效益", "benefit"), ("满意", "satisfaction"), ("成本", "cost"))
#: Row labels of the table's end (总分 and its grade), the template's label first.
TOTAL_LABELS = ("总分", "合计", "总计", "综合得分")
GRADE_LABELS = ("评价等次", "等次", "等级")
SUBTOTAL_SUFFIX = "小计"

#: The spare lines the official sample prints for more indicators: "指标2", "指标3:", "指标1:/", "……", "/".
PLACEHOLDER_NAME = re.compile(r"^(指标\s*\d+\s*[:：]?\s*/?|[…．.。]{2,}|/)$")
#: What a placeholder line holds in its other cells.
PLACEHOLDER_VALUES = ("", "/", "-", "—", "无")

#: Column letters, percent signs and units headers carry: "（A）", "（B/A）", "（%）", "（万元）".
_HEADER_NOTE = re.compile(r"\((?:[A-Za-z](?:/[A-Za-z])?|%|％|万元|元|分)\)$")


def label(text: object) -> str:
    """A label as compared (and shown in messages): normalised, round brackets, no colons."""
    if text is None:
        return ""
    return normalise_text(str(text)).replace("（", "(").replace("）", ")").replace(":", "").replace("：", "")


def header_word(text: str) -> str:
    """A normalised header without its trailing column note: '全年预算数(a)' → '全年预算数'."""
    return _HEADER_NOTE.sub("", text) if text.endswith(")") else text


def is_placeholder_name(name: str) -> bool:
    """"指标2:", "……", "/": a spare line of the sample form, not an indicator."""
    return bool(PLACEHOLDER_NAME.match(label(name)))
