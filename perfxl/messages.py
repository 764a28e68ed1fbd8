"""Finding messages in Chinese (default) and English. One template per code and variant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfxl.model import Finding
from perfxl.numbers import format_number

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "TOTAL_MISMATCH": {
        "zh": "总分 {found} 与各项得分合计 {expected} 不一致",
        "en": "total {found} differs from the sum of its parts {expected}"},
    "SUBTOTAL_MISMATCH": {
        "zh": "{label}小计 {found} 与其下各指标得分合计 {expected} 不一致",
        "en": "{label} subtotal {found} differs from the sum of its indicator scores {expected}"},
    "SCORE_OVER_WEIGHT": {
        "zh": "“{name}”得分 {found} 超过分值 {expected}",
        "en": "score {found} of '{name}' is above its weight {expected}"},
    "SCORE_OVER_WEIGHT.negative": {
        "zh": "“{name}”得分 {found} 为负数",
        "en": "score {found} of '{name}' is negative"},
    "WEIGHT_MISMATCH": {
        "zh": "{label}下各指标分值合计 {found}，应为 {expected}（方案 {scheme}）",
        "en": "the weights under {label} add up to {found}, expected {expected} (scheme {scheme})"},
    "WEIGHT_MISMATCH.level": {
        "zh": "{label}权重 {found} 与方案 {scheme} 规定的 {expected} 不符",
        "en": "{label} weight {found} differs from {expected} in scheme {scheme}"},
    "WEIGHT_MISMATCH.budget": {
        "zh": "预算执行分值 {found} 与方案 {scheme} 规定的 {expected} 不符",
        "en": "budget execution weight {found} differs from {expected} in scheme {scheme}"},
    "WEIGHT_MISMATCH.total": {
        "zh": "分值合计 {found}，应为 {expected}",
        "en": "the weights total {found}, expected {expected}"},
    "EXECUTION_RATE_MISMATCH": {
        "zh": "执行率 {found} 与 全年执行数÷全年预算数 = {expected} 不一致",
        "en": "execution rate {found} differs from executed / budget = {expected}"},
    "EXECUTION_RATE_MISMATCH.ratio": {
        "zh": "{label} {found} 与计算值 {expected} 不一致",
        "en": "{label} {found} differs from the computed {expected}"},
    "BUDGET_SCORE_MISMATCH": {
        "zh": "预算执行得分 {found}，按执行率 {rate} 应为 {expected}",
        "en": "budget execution score {found}; at an execution rate of {rate} it should be {expected}"},
    "GRADE_MISMATCH": {
        "zh": "评价等次“{found}”与总分 {total} 对应的等次“{expected}”不一致",
        "en": "grade '{found}' differs from '{expected}', the grade of the total {total}"},
    "AMOUNT_SUM_MISMATCH": {
        "zh": "{label} {found} 与其组成部分合计 {expected} 不一致（超出四舍五入误差）",
        "en": "{label} {found} differs from the sum of its parts {expected} beyond rounding"},
    "FORMULA_OVERWRITTEN": {
        "zh": "{what}（{cell}）原为公式，现被改成固定值 {found}",
        "en": "{what} ({cell}) was a formula and now holds the constant {found}"},
    "FORMULA_ALTERED": {
        "zh": "{what}（{cell}）的公式被修改：应为 {expected}，现为 {found}",
        "en": "the formula of {what} ({cell}) was changed: expected {expected}, found {found}"},
    "PROTECTION_REMOVED": {
        "zh": "工作表“{sheet}”的保护已被撤销",
        "en": "protection of sheet '{sheet}' was switched off"},
    "PROTECTION_REMOVED.workbook": {
        "zh": "工作簿结构保护已被撤销",
        "en": "workbook structure protection was switched off"},
    "NOT_RECALCULATED": {
        "zh": "{count} 个公式单元格没有计算结果（文件未经 Excel/WPS/LibreOffice 打开保存），已由 perfxl 重新计算",
        "en": "{count} formula cells carry no computed value (the file was never saved by a spreadsheet "
              "program); perfxl recomputed them"},
    "MISSING_VALUE": {
        "zh": "{what}未填写",
        "en": "{what} is empty"},
    "UNPARSEABLE_VALUE": {
        "zh": "{what}应为数字，实际为“{found}”",
        "en": "{what} must be a number but holds '{found}'"},
    "UNPARSEABLE_VALUE.as_text": {
        "zh": "{what}“{found}”是文本而不是数字，表中公式不会计入它：请删除后重新输入数字（单位填在单位列）",
        "en": "{what} '{found}' is text, not a number, so the sheet's formulas leave it out: "
              "clear the cell and type the number (the unit goes in the unit column)"},
    "SCORE_RULE_MISMATCH": {
        "zh": "“{name}”自评得分 {found}，按评分规则（指标值 {target}，实际完成值 {actual}）应为 {expected}",
        "en": "self-score {found} of '{name}'; the rule gives {expected} (target {target}, actual {actual})"},
    "SCORE_RULE_MISMATCH.band": {
        "zh": "“{name}”为定性指标（{band}），自评得分 {found} 不在 {expected} 分之间",
        "en": "'{name}' is qualitative ({band}); self-score {found} is outside {expected}"},
    "DEVIATION_REASON_MISSING": {
        "zh": "“{name}”得分 {found} 低于分值 {expected}，未填写偏差原因分析及改进措施",
        "en": "'{name}' scores {found} below its weight {expected} but gives no deviation reason"},
    "UNKNOWN_LAYOUT": {
        "zh": "未找到绩效自评表：{detail}",
        "en": "no scoring table found: {detail}"},
    "UNREADABLE_FILE": {
        "zh": "文件无法读取：{detail}",
        "en": "the file cannot be read: {detail}"},
}

#: Names of places, used in messages ({what}).
PLACES: dict[str, dict[str, str]] = {
    "initial": {"zh": "年初预算数", "en": "initial budget"},
    "budget": {"zh": "全年预算数", "en": "full-year budget"},
    "executed": {"zh": "全年执行数", "en": "full-year execution"},
    "rate": {"zh": "执行率", "en": "execution rate"},
    "funds_weight": {"zh": "预算执行分值", "en": "budget execution weight"},
    "funds_score": {"zh": "预算执行得分", "en": "budget execution score"},
    "weight": {"zh": "“{name}”的分值", "en": "the weight of '{name}'"},
    "score": {"zh": "“{name}”的得分", "en": "the score of '{name}'"},
    "target": {"zh": "“{name}”的年度指标值", "en": "the target of '{name}'"},
    "actual": {"zh": "“{name}”的实际完成值", "en": "the actual value of '{name}'"},
    "reference": {"zh": "“{name}”的参考得分", "en": "the reference score of '{name}'"},
    "subtotal_weight": {"zh": "{label}分值小计", "en": "{label} weight subtotal"},
    "subtotal_score": {"zh": "{label}得分小计", "en": "{label} score subtotal"},
    "total_weight": {"zh": "总分分值", "en": "total weight"},
    "total_score": {"zh": "总分", "en": "total score"},
    "grade": {"zh": "评价等次", "en": "grade"},
    "amount": {"zh": "“{sheet}”表的合计数", "en": "the total on sheet '{sheet}'"},
}


#: English for the reason codes of UNREADABLE_FILE / UNKNOWN_LAYOUT. The Chinese detail names the
#: exact part or size; the English one says what happened and what to do.
REASONS_EN = {
    "io": "the file cannot be opened",
    "empty": "the file is empty (0 bytes)",
    "legacy_xls": "an Excel 97-2003 (.xls) or WPS (.et) file: save it as .xlsx and send it again",
    "wps": "a WPS spreadsheet (.et/.ett): save it as .xlsx in WPS and send it again",
    "macros": "a macro-enabled workbook (.xlsm) is not read, for safety: save it as .xlsx without macros",
    "xlsb": "an Excel binary workbook (.xlsb): save it as .xlsx",
    "ods": "an OpenDocument spreadsheet (.ods): save it as .xlsx",
    "encrypted": "the file is encrypted (it has a password to open): remove the password and send it again",
    "too_large": "the file is larger than the safety limit",
    "not_zip": "not an Excel workbook (an .xlsx is a zip file): probably another kind of file renamed",
    "truncated": "the file is damaged or incomplete: save it again and send it again",
    "zip_limits": "the workbook exceeds the safety limits (number of parts or uncompressed size)",
    "zip_bomb": "a part has an abnormal compression ratio (suspected zip bomb): refused",
    "not_xlsx": "not an Excel workbook (no workbook part: a Word or PowerPoint document, or another zip)",
    "corrupt": "the file's content is damaged (invalid XML)",
    "xml_dtd": "the file contains a DTD or entity declaration: refused for safety",
    "timeout": "reading took longer than the time limit: the file may be malformed or too complex",
    "crash": "the process reading this file stopped abnormally: the file may be malformed",
    "memory": "the file needs more memory than the limit",
    "error": "unexpected error while reading: {error}",
    "no_table": "no table with the headers 一级指标/二级指标/三级指标/分值/得分 on any sheet ({sheets})",
}


def place(key: str, lang: str = "zh", **params: Any) -> str:
    return PLACES[key][lang].format(**params)


def render(finding: Finding, lang: str = "zh") -> str:
    """The finding's message in ``lang``."""
    key = f"{finding.code}.{finding.variant}" if finding.variant else finding.code
    template = MESSAGES.get(key, MESSAGES[finding.code])[lang]
    params = {name: _show(value) for name, value in finding.params.items()}
    if lang == "en" and finding.params.get("reason") in REASONS_EN:
        params["detail"] = REASONS_EN[finding.params["reason"]].format(**params)
    if "what" in finding.params and isinstance(finding.params["what"], tuple):
        what_key, what_params = finding.params["what"]
        params["what"] = place(what_key, lang, **what_params)
    params.setdefault("expected", _show(finding.expected))
    params.setdefault("found", _show(finding.found))
    params.setdefault("sheet", finding.sheet or "")
    params.setdefault("cell", finding.cell or "")
    return template.format(**params)


def _show(value: Any) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, tuple):
        return value  # type: ignore[return-value]
    return str(value)
