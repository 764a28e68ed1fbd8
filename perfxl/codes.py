"""Every finding code, once: its severity, its wording in Chinese and English, its short labels.

The checks name codes through the constants below (``codes.TOTAL_MISMATCH``) and never retype
them; the terminal, JSON, CSV, report workbook, annotated copies and ledger all word a finding
through :func:`render` and label it through :data:`REGISTRY`. Status and severity labels live here
too, so the terminal and the report cannot drift apart. The table of codes in
``docs/interface.md`` is kept equal to this registry by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfxl.numbers import format_number, round_half_up

LANGUAGES = ("zh", "en")
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class CodeSpec:
    """One finding code. ``messages`` maps a variant ("" is the default) to its (zh, en) wording."""

    code: str
    severity: str
    label: tuple[str, str]  # short (zh, en) label for the report's statistics and the terminal
    messages: dict[str, tuple[str, str]]

    def message(self, variant: str, lang: str) -> str:
        zh, en = self.messages.get(variant) or self.messages[""]
        return en if lang == "en" else zh


REGISTRY: dict[str, CodeSpec] = {}


def _define(code: str, severity: str, label: tuple[str, str], **messages: tuple[str, str]) -> str:
    """Register a code; ``default=`` is the message without a variant."""
    REGISTRY[code] = CodeSpec(code, severity, label,
                              {("" if name == "default" else name): text for name, text in messages.items()})
    return code


TOTAL_MISMATCH = _define(
    "TOTAL_MISMATCH", ERROR, ("总分不一致", "total mismatch"),
    default=("总分 {found} 与各项得分合计 {expected} 不一致",
             "total {found} differs from the sum of its parts {expected}"),
    capped=("总分 {found} 不一致：各项得分合计 {parts}，预算执行率 {rate} 时按评分方案总分最高为 {expected}",
            "total {found} is off: the parts add to {parts}, but at an execution rate of {rate} the scheme "
            "caps the total at {expected}"))
SUBTOTAL_MISMATCH = _define(
    "SUBTOTAL_MISMATCH", ERROR, ("小计不一致", "subtotal mismatch"),
    default=("{label}小计 {found} 与其下各指标得分合计 {expected} 不一致",
             "{label} subtotal {found} differs from the sum of its indicator scores {expected}"))
SCORE_OVER_WEIGHT = _define(
    "SCORE_OVER_WEIGHT", ERROR, ("得分超过分值", "score above weight"),
    default=("“{name}”得分 {found} 超过分值 {expected}", "score {found} of '{name}' is above its weight {expected}"),
    negative=("“{name}”得分 {found} 为负数", "score {found} of '{name}' is negative"))
WEIGHT_MISMATCH = _define(
    "WEIGHT_MISMATCH", ERROR, ("分值不符", "weights wrong"),
    default=("{label}下各指标分值合计 {found}，应为 {expected}（方案 {scheme}）",
             "the weights under {label} add up to {found}, expected {expected} (scheme {scheme})"),
    level=("{label}权重 {found} 与方案 {scheme} 规定的 {expected} 不符",
           "{label} weight {found} differs from {expected} in scheme {scheme}"),
    subtotal=("{label}分值小计 {found}，应为方案 {scheme} 规定的 {expected}",
              "{label} weight subtotal {found}, expected {expected} in scheme {scheme}"),
    budget=("预算执行分值 {found} 与方案 {scheme} 规定的 {expected} 不符",
            "budget execution weight {found} differs from {expected} in scheme {scheme}"),
    total=("分值合计 {found}，应为 {expected}", "the weights total {found}, expected {expected}"))
EXECUTION_RATE_MISMATCH = _define(
    "EXECUTION_RATE_MISMATCH", ERROR, ("执行率不一致", "execution rate mismatch"),
    default=("执行率 {found} 与 全年执行数÷全年预算数 = {expected} 不一致",
             "execution rate {found} differs from executed / budget = {expected}"),
    ratio=("{label} {found} 与计算值 {expected} 不一致", "{label} {found} differs from the computed {expected}"))
BUDGET_SCORE_MISMATCH = _define(
    "BUDGET_SCORE_MISMATCH", ERROR, ("预算执行得分不符", "budget score wrong"),
    default=("预算执行得分 {found}，按执行率 {rate} 应为 {expected}",
             "budget execution score {found}; at an execution rate of {rate} it should be {expected}"))
GRADE_MISMATCH = _define(
    "GRADE_MISMATCH", ERROR, ("评价等次不一致", "grade mismatch"),
    default=("评价等次“{found}”与总分 {total} 对应的等次“{expected}”不一致",
             "grade '{found}' differs from '{expected}', the grade of the total {total}"))
AMOUNT_SUM_MISMATCH = _define(
    "AMOUNT_SUM_MISMATCH", ERROR, ("金额合计不一致", "amount sum mismatch"),
    default=("{label} {found} 与其组成部分合计 {expected} 不一致（超出四舍五入误差）",
             "{label} {found} differs from the sum of its parts {expected} beyond rounding"))
FORMULA_OVERWRITTEN = _define(
    "FORMULA_OVERWRITTEN", ERROR, ("公式被改为固定值", "formula overwritten"),
    default=("{what}（{cell}）原为公式，现被改成固定值 {found}",
             "{what} ({cell}) was a formula and now holds the constant {found}"))
FORMULA_ALTERED = _define(
    "FORMULA_ALTERED", ERROR, ("公式被修改", "formula altered"),
    default=("{what}（{cell}）的公式被修改：应为 {expected}，现为 {found}",
             "the formula of {what} ({cell}) was changed: expected {expected}, found {found}"))
PROTECTION_REMOVED = _define(
    "PROTECTION_REMOVED", WARNING, ("保护被撤销", "protection removed"),
    default=("工作表“{sheet}”的保护已被撤销", "protection of sheet '{sheet}' was switched off"),
    workbook=("工作簿结构保护已被撤销", "workbook structure protection was switched off"))
NOT_RECALCULATED = _define(
    "NOT_RECALCULATED", WARNING, ("公式未重新计算", "not recalculated"),
    default=("{count} 个公式单元格没有计算结果（文件未经 Excel/WPS/LibreOffice 打开保存），已由 perfxl 重新计算",
             "{count} formula cells carry no computed value (the file was never saved by a spreadsheet "
             "program); perfxl recomputed them"))
MISSING_VALUE = _define(
    "MISSING_VALUE", ERROR, ("必填项未填写", "missing value"),
    default=("{what}未填写", "{what} is empty"),
    zero_budget=("全年预算数为 0，无法计算执行率", "the full-year budget is 0: no execution rate can be computed"),
    blank=("“{table}”未填写：预算数、绩效指标、分值和得分都是空的，请填写后重新交回",
           "'{table}' was returned blank: no budget figure, indicator, weight or score was filled in; "
           "fill it in and send it again"))
UNPARSEABLE_VALUE = _define(
    "UNPARSEABLE_VALUE", ERROR, ("应为数字", "not a number"),
    default=("{what}应为数字，实际为“{found}”", "{what} must be a number but holds '{found}'"),
    as_text=("{what}“{found}”是文本而不是数字，表中公式不会计入它：请删除后重新输入数字（单位填在单位列）",
             "{what} '{found}' is text, not a number, so the sheet's formulas leave it out: "
             "clear the cell and type the number (the unit goes in the unit column)"))
SCORE_RULE_MISMATCH = _define(
    "SCORE_RULE_MISMATCH", WARNING, ("得分与评分规则不符", "score off the rule"),
    default=("“{name}”自评得分 {found}，按评分规则（指标值 {target}，实际完成值 {actual}）应为 {expected}",
             "self-score {found} of '{name}'; the rule gives {expected} (target {target}, actual {actual})"),
    band=("“{name}”为定性指标（{band}），自评得分 {found} 不在 {expected} 分之间",
          "'{name}' is qualitative ({band}); self-score {found} is outside {expected}"))
DEVIATION_REASON_MISSING = _define(
    "DEVIATION_REASON_MISSING", WARNING, ("缺偏差原因", "no deviation reason"),
    default=("“{name}”得分 {found} 低于分值 {expected}，未填写偏差原因分析及改进措施",
             "'{name}' scores {found} below its weight {expected} but gives no deviation reason"),
    overshoot=("“{name}”实际完成值 {found} 达到年度指标值 {expected} 的 {ratio} 以上，按评分方案须填写偏差原因分析及改进措施",
               "'{name}' reached {found}, at least {ratio} of its target {expected}: the scheme asks for a "
               "deviation reason"),
    rate=("预算执行率 {rate} 低于 {threshold}，按评分方案须填写偏差原因分析及改进措施，表中未填写",
          "the execution rate {rate} is below {threshold}: the scheme asks for a deviation reason and the "
          "table gives none"))
UNKNOWN_LAYOUT = _define(
    "UNKNOWN_LAYOUT", ERROR, ("未找到自评表", "no scoring table"),
    default=("未找到绩效自评表：{detail}", "no scoring table found: {detail}"))
UNREADABLE_FILE = _define(
    "UNREADABLE_FILE", ERROR, ("文件无法读取", "unreadable file"),
    default=("文件无法读取：{detail}", "the file cannot be read: {detail}"))
PREFILLED_VALUE_CHANGED = _define(
    "PREFILLED_VALUE_CHANGED", ERROR, ("预填内容被修改", "prefilled value changed"),
    default=("{what}是财政局预填的内容，应为 {expected}，现为 {found}",
             "{what} was prefilled by the bureau as {expected} and now holds {found}"))
EXECUTED_OVER_BUDGET = _define(
    "EXECUTED_OVER_BUDGET", WARNING, ("执行数超预算", "executed over budget"),
    default=("全年执行数 {found} 大于全年预算数 {expected}",
             "full-year execution {found} is above the full-year budget {expected}"))
TARGET_OVERSHOOT = _define(
    "TARGET_OVERSHOOT", WARNING, ("大幅超额完成", "target far exceeded"),
    default=("“{name}”实际完成值 {found} 达到指标值 {expected} 的 {ratio}，指标值可能设定偏低",
             "'{name}' reached {found}, {ratio} of its target {expected}: the target may have been set too low"))
SPENDING_PERFORMANCE_GAP = _define(
    "SPENDING_PERFORMANCE_GAP", WARNING, ("绩效与预算执行偏离", "performance ahead of spending"),
    default=("指标得分率 {found} 明显高于预算执行得分率 {expected}（偏离 {gap}，超过 {threshold}）："
             "请说明指标值是否偏低或资金是否确有需要",
             "indicators scored {found} of their weight while budget execution scored {expected} "
             "(gap {gap}, above {threshold}): were the targets too low, or the money not needed?"))
NARRATIVE_MISMATCH = _define(
    "NARRATIVE_MISMATCH", ERROR, ("报告文字与表格不符", "text disagrees"),
    default=("正文“{quote}”所述{what} {found} 与{source}{expected} 不一致",
             "the text '{quote}' states {what} {found}, but {source} gives {expected}"))
SHEET_SKIPPED = _define(
    "SHEET_SKIPPED", WARNING, ("表格未能识别", "table not read"),
    default=("工作表“{sheet}”{where}有数字和类似表头的内容，但不是可识别的自评表，未审核：{detail}",
             "sheet '{sheet}'{where} holds numbers under table-like headers but is no table perfxl knows; "
             "not checked: {detail}"),
    image_page=("第 {page} 页只有图片，没有文字层（扫描件），其内容未能审核",
                "page {page} is a picture only, without a text layer (a scan): its content was not checked"))
CROSS_DOCUMENT_MISMATCH = _define(
    "CROSS_DOCUMENT_MISMATCH", ERROR, ("文件之间不一致", "documents disagree"),
    default=("{what}：{here} 为 {found}，{there} 为 {expected}（同一部门的两份材料不一致）",
             "{what}: {found} in {here} but {expected} in {there} (two documents of one department disagree)"))
SCORING_TABLE_MISSING = _define(
    "SCORING_TABLE_MISSING", WARNING, ("缺少评分表", "no scoring table"),
    default=("报告中没有评分表，本轮也没有该部门的其他材料提供评分表：只核对了正文所述的数字",
             "the report holds no scoring table and no other document of its department in the round "
             "supplies one: only the figures its text states were checked"),
    unruled=("报告中的表格没有框线，无法按表格读取，本轮也没有该部门的其他材料提供评分表：只核对了正文所述的数字",
             "the report's tables have no ruling lines, so they cannot be read as tables, and no other document "
             "of its department in the round supplies one: only the figures its text states were checked"))
TARGET_CHANGED = _define(
    "TARGET_CHANGED", ERROR, ("指标值与批复不符", "target changed"),
    default=("“{name}”的{what}为 {found}，批复的为 {expected}（{matched}）",
             "the {what} of '{name}' is {found}; the approved one is {expected} ({matched})"))
INDICATOR_MISSING = _define(
    "INDICATOR_MISSING", ERROR, ("缺少批复指标", "approved indicator missing"),
    default=("批复的指标“{name}”（{group}，指标值 {expected}）不在表中",
             "the approved indicator '{name}' ({group}, target {expected}) is not in the table"))
INDICATOR_ADDED = _define(
    "INDICATOR_ADDED", WARNING, ("新增未批复指标", "indicator not approved"),
    default=("指标“{name}”（{group}）不在批复的绩效目标中",
             "the indicator '{name}' ({group}) is not among the approved targets"))


#: Codes whose expected and found values are rates (fractions, written to 4 decimals).
RATE_CODES = frozenset({EXECUTION_RATE_MISMATCH, SPENDING_PERFORMANCE_GAP})


def is_rate(finding: Any) -> bool:
    """Expected and found are rates (fractions): by the code, or a narrative claim about a rate or share."""
    return finding.code in RATE_CODES or finding.variant == "rate"


def severity(code: str) -> str:
    return REGISTRY[code].severity


def label(code: str, lang: str = "zh") -> str:
    zh, en = REGISTRY[code].label
    return en if lang == "en" else zh


# --- statuses and severities -------------------------------------------------------------------

#: Status of a file or a roster row, one label each (terminal, report, status command).
STATUSES: dict[str, tuple[str, str]] = {
    "clean": ("通过", "clean"),
    "warnings": ("仅有警告", "warnings only"),
    "errors": ("有错误", "errors"),
    "unreadable": ("无法读取", "unreadable"),
    "not_submitted": ("未提交", "not submitted"),
    "unmatched": ("未匹配名单", "not on roster"),
    "superseded": ("已被替换", "superseded"),
}
SEVERITIES: dict[str, tuple[str, str]] = {ERROR: ("错误", "error"), WARNING: ("警告", "warning")}


def status_label(status: str, lang: str = "zh") -> str:
    zh, en = STATUSES.get(status, (status, status))
    return en if lang == "en" else zh


def severity_label(level: str, lang: str = "zh") -> str:
    zh, en = SEVERITIES[level]
    return en if lang == "en" else zh


# --- places and reasons used inside messages ---------------------------------------------------

#: Names of places ({what} in a message).
PLACES: dict[str, tuple[str, str]] = {
    "initial": ("年初预算数", "initial budget"),
    "budget": ("全年预算数", "full-year budget"),
    "executed": ("全年执行数", "full-year execution"),
    "rate": ("执行率", "execution rate"),
    "funds_weight": ("预算执行分值", "budget execution weight"),
    "funds_score": ("预算执行得分", "budget execution score"),
    "weight": ("“{name}”的分值", "the weight of '{name}'"),
    "score": ("“{name}”的得分", "the score of '{name}'"),
    "target": ("“{name}”的年度指标值", "the target of '{name}'"),
    "actual": ("“{name}”的实际完成值", "the actual value of '{name}'"),
    "reference": ("“{name}”的参考得分", "the reference score of '{name}'"),
    "subtotal_weight": ("{label}分值小计", "{label} weight subtotal"),
    "subtotal_score": ("{label}得分小计", "{label} score subtotal"),
    "total_weight": ("总分分值", "total weight"),
    "total_score": ("总分", "total score"),
    "grade": ("评价等次", "grade"),
    "amount": ("“{sheet}”表的合计数", "the total on sheet '{sheet}'"),
    "department": ("部门（单位）名称", "the department name"),
    "name": ("第 {row} 行的三级指标", "the indicator in row {row}"),
    "op": ("“{name}”的符号", "the operator of '{name}'"),
    "unit": ("“{name}”的单位", "the unit of '{name}'"),
    # Approved targets (TARGET_CHANGED): what differs, and how the indicator was matched.
    "approved_target": ("指标值", "target"),
    "approved_weight": ("分值", "weight"),
    "matched_in_group": ("按名称“{name}”在“{group}”下匹配", "matched by name under '{group}'"),
    "matched_by_name": ("按名称“{name}”匹配；二级指标写法不同：批复为“{approved}”，表中为“{found}”",
                        "matched by name alone: the groups are spelt differently, '{approved}' approved, "
                        "'{found}' in the table"),
    "below_row": ("第 {row} 行起", " from row {row}"),
    # What a report's text states (NARRATIVE_MISMATCH), and what it is checked against.
    "narr_total": ("总分", "the total score"),
    "narr_part": ("{label}得分", "the {label} score"),
    "narr_grade": ("评价等次", "the grade"),
    "narr_amount": ("{label}金额", "the amount of {label}"),
    "narr_share": ("{label}所占比例", "the share of {label}"),
    "narr_rate": ("执行率", "the execution rate"),
    "from_table": ("{table}中的", "{table}"),
    "from_parts": ("所列各项之和", "the sum of the parts it lists"),
    "from_amounts": ("所列金额算出的", "its own amounts"),
    "from_total": ("所述总分对应的", "the grade of the total it states"),
}

#: Why a file is unreadable or holds no table: (Chinese, English). The detail a reader gives
#: (:data:`DETAILS`, naming the exact part or size) takes precedence over this generic wording.
REASONS: dict[str, tuple[str, str]] = {
    "io": ("无法打开文件", "the file cannot be opened"),
    "empty": ("文件为空（0 字节）", "the file is empty (0 bytes)"),
    "legacy_xls": ("旧版 Excel 97-2003 格式（.xls），请另存为 .xlsx 后再提交",
                   "an Excel 97-2003 (.xls) or WPS (.et) file: save it as .xlsx and send it again"),
    "wps": ("WPS 表格格式（.et），请在 WPS 中另存为 .xlsx 后再提交",
            "a WPS spreadsheet (.et/.ett): save it as .xlsx in WPS and send it again"),
    "macros": ("含宏的工作簿（.xlsm）出于安全原因不予读取，请另存为不含宏的 .xlsx 后再提交",
               "a macro-enabled workbook (.xlsm) is not read, for safety: save it as .xlsx without macros"),
    "xlsb": ("Excel 二进制格式（.xlsb），请另存为 .xlsx 后再提交", "an Excel binary workbook (.xlsb): save it as .xlsx"),
    "ods": ("OpenDocument 表格（.ods），请另存为 .xlsx 后再提交", "an OpenDocument spreadsheet (.ods): save it as .xlsx"),
    "doc": ("Word 97-2003 文档（.doc），请在 Word 中另存为 .docx 后再提交",
            "a Word 97-2003 document (.doc): save it as .docx in Word and send it again"),
    "pdf_no_text": ("PDF 没有文字层（扫描件或图片），无法读取其文字和表格：请提交由 Word/WPS 直接导出的 PDF 或 .docx",
                    "the PDF has no text layer (a scan or a picture): its text and tables cannot be read; send the "
                    "PDF as Word or WPS exports it, or the .docx"),
    "pdf_cid": ("PDF 所用字体没有 Unicode 映射（文字只能读出“(cid:…)”编号），无法可靠读取：请嵌入字体重新导出 PDF，或提交 .docx",
                "the PDF's fonts have no Unicode map (its text comes out as '(cid:…)' numbers) so it cannot be "
                "read reliably: export the PDF again with the fonts embedded, or send the .docx"),
    "not_pdf": ("不是 PDF 文件（可能是其他文件改了扩展名）", "not a PDF (probably another kind of file renamed)"),
    "encrypted": ("文件已加密（设置了打开密码），请取消密码后再提交",
                  "the file is encrypted (it has a password to open): remove the password and send it again"),
    "too_large": ("文件超过安全上限", "the file is larger than the safety limit"),
    "not_zip": ("不是 Excel 工作簿（可能是其他文件改了扩展名）",
                "not an Excel workbook (an .xlsx is a zip file): probably another kind of file renamed"),
    "truncated": ("文件已损坏或不完整，请重新保存后再提交",
                  "the file is damaged or incomplete: save it again and send it again"),
    "zip_limits": ("工作簿超过安全上限（部件数量或解压后大小）",
                   "the workbook exceeds the safety limits (number of parts or uncompressed size)"),
    "zip_bomb": ("部件压缩比异常（疑似压缩炸弹），拒绝读取",
                 "a part has an abnormal compression ratio (suspected zip bomb): refused"),
    "not_xlsx": ("不是 Excel 工作簿（没有工作簿部件：可能是 Word、PowerPoint 文档或其他压缩包）",
                 "not an Excel workbook (no workbook part: a Word or PowerPoint document, or another zip)"),
    "corrupt": ("文件内容已损坏（XML 无效）", "the file's content is damaged (invalid XML)"),
    "xml_dtd": ("文件含 DTD 或实体声明，出于安全原因拒绝读取",
                "the file contains a DTD or entity declaration: refused for safety"),
    "timeout": ("处理超时（超过 {timeout} 秒），文件可能异常或过于复杂，已跳过",
                "reading took longer than the time limit ({timeout} s): the file may be malformed or too complex"),
    "crash": ("读取时处理进程异常终止{signal}，可能超过内存上限或文件异常，已跳过",
              "the process reading this file stopped abnormally{signal}: the file may be malformed"),
    "memory": ("超过内存上限（{memory_mb} MB），拒绝读取", "the file needs more memory than the limit ({memory_mb} MB)"),
    "error": ("读取时出错（{error}）", "unexpected error while reading: {error}"),
    "no_table_report": ("报告中既没有评分表，正文也没有可核对的得分、等次、金额或执行率",
                        "the report holds no scoring table, and its text states no score, grade, amount or rate to check"),
    "no_table": ("在工作表 {sheets} 中未找到含“一级指标/二级指标/三级指标/分值/得分”表头的绩效指标表",
                 "no table with the headers 一级指标/二级指标/三级指标/分值/得分 on any sheet ({sheets})"),
}

REASONS["unknown_format"] = (
    "无法识别的文件格式：不是 Excel（.xls/.xlsx）、WPS（.et）或 LibreOffice（.ods）表格，可能是其他文件改了扩展名",
    "not a spreadsheet (neither Excel .xls/.xlsx, WPS .et nor LibreOffice .ods): probably another kind of file renamed")

#: What exactly a reader found unreadable (``UnreadableWorkbook.detail_key``): (Chinese, English)
#: templates for :meth:`str.format`. The Chinese names the part, the size or the sheet; the reason
#: code (:data:`REASONS`) says the kind of problem in general.
DETAILS: dict[str, tuple[str, str]] = {
    # Opening the file
    "open_failed": ("无法打开文件：{error}", "the file cannot be opened: {error}"),
    "read_failed": ("无法读取文件：{error}", "the file cannot be read: {error}"),
    "empty": ("文件为空（0 字节）", "the file is empty (0 bytes)"),
    "too_large": ("文件过大，超过安全上限", "the file is too large: over the safety limit"),
    "too_large_mb": ("文件过大（{size_mb} MB），超过安全上限", "the file is too large ({size_mb} MB): over the safety limit"),
    "encrypted": ("文件已加密（设置了打开密码），请取消打开密码后再提交",
                  "the file is encrypted (it has a password to open): remove the password and send it again"),
    "encrypted_xlsx": ("文件已加密（设置了打开密码），请取消打开密码后另存为 .xlsx 再提交",
                       "the file is encrypted (it has a password to open): remove the password, save it as "
                       ".xlsx and send it again"),
    "legacy_xls": ("这是旧版 Excel 97-2003（.xls）或 WPS（.et）格式，请在 Excel/WPS 中另存为 .xlsx 再提交",
                   "this is an old Excel 97-2003 (.xls) or WPS (.et) file: save it as .xlsx in Excel or WPS "
                   "and send it again"),
    "unknown_format": ("无法识别的文件格式：不是 Excel（.xls/.xlsx）、WPS（.et）或 LibreOffice（.ods）表格，"
                       "可能是其他文件改了扩展名",
                       "not a spreadsheet format perfxl knows (neither Excel .xls/.xlsx, WPS .et nor "
                       "LibreOffice .ods): probably another kind of file renamed"),
    # Zip packages (.xlsx, .ods, .docx)
    "not_zip": ("不是 Excel 工作簿（.xlsx 文件应为 zip 格式），可能是其他类型的文件改了扩展名",
                "not an Excel workbook (an .xlsx file is a zip file): probably another kind of file renamed"),
    "zip_unreadable": ("文件已损坏或不完整（zip 结构无法读取），请重新保存后再提交",
                       "the file is damaged or incomplete (its zip structure cannot be read): save it again "
                       "and send it again"),
    "zip_entries": ("压缩包条目过多（{entries} 个），超过安全上限 {limit}",
                    "the zip package has too many entries ({entries}), over the safety limit of {limit}"),
    "zip_total": ("压缩包解压后总大小超过安全上限", "the zip package's total uncompressed size is over the safety limit"),
    "part_too_large": ("压缩包中的 {part} 解压后过大，超过安全上限",
                       "{part} in the zip package is too large once uncompressed: over the safety limit"),
    "zip_bomb": ("压缩包中的 {part} 压缩比异常（疑似压缩炸弹），拒绝读取",
                 "{part} in the zip package has an abnormal compression ratio (suspected zip bomb): refused"),
    "compression_unsupported": ("文件使用了不支持的压缩方式或已损坏：{part}（{error}）",
                                "the file uses an unsupported compression method or is damaged: {part} ({error})"),
    "part_truncated": ("文件已损坏或不完整：无法解压 {part}（{error}）",
                       "the file is damaged or incomplete: {part} cannot be uncompressed ({error})"),
    "member_encrypted": ("文件已加密，无法读取（{error}）", "the file is encrypted and cannot be read ({error})"),
    "part_dtd": ("文件中的 {part} 含有 DTD/实体声明，出于安全原因拒绝读取",
                 "{part} in the file contains a DTD or entity declaration: refused for safety"),
    "part_bad_xml": ("文件内容损坏：{part} 不是有效的 XML（{error}）",
                     "the file's content is damaged: {part} is not valid XML ({error})"),
    "part_not_utf8": ("文件内容损坏：{part} 不是 UTF-8 编码的 XML",
                      "the file's content is damaged: {part} is not XML encoded as UTF-8"),
    # .xlsx
    "no_content_types": ("不是 Excel 工作簿：缺少 [Content_Types].xml（可能是普通 zip 或其他文档）",
                         "not an Excel workbook: [Content_Types].xml is missing (perhaps a plain zip or "
                         "another kind of document)"),
    "no_workbook_xml": ("不是 Excel 工作簿：缺少 xl/workbook.xml", "not an Excel workbook: xl/workbook.xml is missing"),
    "no_workbook_part": ("压缩包中没有 xl/workbook.xml，不是 Excel 工作簿",
                         "the zip package holds no xl/workbook.xml: not an Excel workbook"),
    "is_docx": ("这是 Word 文档（.docx），不是 Excel 工作簿", "this is a Word document (.docx), not an Excel workbook"),
    "is_pptx": ("这是 PowerPoint 文档，不是 Excel 工作簿", "this is a PowerPoint document, not an Excel workbook"),
    "no_sheets": ("工作簿中没有工作表", "the workbook has no sheets"),
    "sheet_part_missing": ("工作表“{sheet}”的内容缺失（{part}）", 'the content of sheet "{sheet}" is missing ({part})'),
    # .xls/.et/.ods (values, through calamine)
    "damaged_error": ("文件已损坏，无法读取（{error}），请重新保存后再提交",
                      "the file is damaged and cannot be read ({error}): save it again and send it again"),
    "sheet_too_large": ("工作表“{sheet}”的数据区域过大（约 {cells:,} 个单元格），超过安全上限 {limit:,}",
                        'the data area of sheet "{sheet}" is too large (about {cells:,} cells), over the '
                        "safety limit of {limit:,}"),
    "xls_sheet_too_large": ("工作表“第 {number} 个工作表”的数据区域过大（约 {cells:,} 个单元格），超过安全上限 {limit:,}",
                            "the data area of sheet {number} is too large (about {cells:,} cells), over the "
                            "safety limit of {limit:,}"),
    "merged_too_large": ("工作表“{sheet}”的合并单元格过多或过大（约 {cells:,} 个单元格），超过安全上限 {limit:,}",
                         'sheet "{sheet}" has too many or too large merged cells (about {cells:,} cells), over '
                         "the safety limit of {limit:,}"),
    "doc_not_sheet": ("这是 Word 97-2003 文档（.doc），不是表格；请提交 Excel 工作簿",
                      "this is a Word 97-2003 document (.doc), not a spreadsheet: send an Excel workbook"),
    "ppt_not_sheet": ("这是 PowerPoint 演示文稿，不是表格", "this is a PowerPoint presentation, not a spreadsheet"),
    "ole_no_workbook": ("这是 Office 复合文档，但其中没有 Excel 工作簿",
                        "this is an Office compound file, but it holds no Excel workbook"),
    "ods_no_content": ("文件内容损坏：缺少 content.xml，不是有效的 OpenDocument 表格",
                       "the file's content is damaged: content.xml is missing, so it is no valid OpenDocument "
                       "spreadsheet"),
    "ods_bad_count": ("文件内容损坏：content.xml 中的 {attribute} 不是数字（{value}）",
                      "the file's content is damaged: {attribute} in content.xml is not a number ({value})"),
    "ods_bad_prefix": ("文件内容损坏：content.xml 中的前缀 {prefix} 未指向 OpenDocument 的命名空间",
                       "the file's content is damaged: the prefix {prefix} in content.xml is not bound to the "
                       "OpenDocument namespace"),
    "ods_nested_table": ("文件内容损坏：content.xml 中有嵌套的表格",
                         "the file's content is damaged: content.xml holds a table inside a table"),
    # .docx
    "doc_ole": ("这是 Word 97-2003 文档（.doc），请在 Word 中另存为 .docx 后再提交",
                "this is a Word 97-2003 document (.doc): save it as .docx in Word and send it again"),
    "no_document_xml": ("不是 Word 文档：缺少 word/document.xml", "not a Word document: word/document.xml is missing"),
    "docx_bad_xml": ("Word 文档内容损坏（{error}）", "the Word document's content is damaged ({error})"),
    "docx_no_body": ("Word 文档内容损坏：没有正文", "the Word document's content is damaged: it has no body"),
    # .pdf
    "pdf_ole": ("这不是 PDF 文件（是 Office 97-2003 文档），请检查文件后再提交",
                "this is not a PDF (it is an Office 97-2003 document): check the file and send it again"),
    "pdf_no_header": ("不是 PDF 文件（没有 PDF 文件头），可能是其他文件改了扩展名",
                      "not a PDF (it has no PDF header): probably another kind of file renamed"),
    "pdf_no_text": ("PDF 没有文字层（扫描件或图片），无法读取其文字和表格：请提交由 Word/WPS 直接导出的 PDF 或 .docx",
                    "the PDF has no text layer (a scan or a picture): its text and tables cannot be read; send "
                    "the PDF as Word or WPS exports it, or the .docx"),
    "pdf_cid": ("PDF 所用字体没有 Unicode 映射（第 {page} 页起共 {cids} 个字符只能读出“(cid:…)”编号），"
                "文字无法可靠读取：请用 Word/WPS 嵌入字体重新导出 PDF，或提交 .docx",
                "the PDF's fonts have no Unicode map (from page {page} on, {cids} characters come out only as "
                "'(cid:…)' numbers), so its text cannot be read reliably: export the PDF again from Word or WPS "
                "with the fonts embedded, or send the .docx"),
    "pdf_encrypted": ("PDF 已加密（设置了打开密码），请取消密码后再提交",
                      "the PDF is encrypted (it has a password to open): remove the password and send it again"),
    "pdf_damaged": ("PDF 文件已损坏或不完整，无法读取，请重新导出后再提交",
                    "the PDF is damaged or incomplete and cannot be read: export it again and send it again"),
    "pdf_pages_unreadable": ("PDF 文件已损坏或不完整（页面无法读取），请重新导出后再提交",
                             "the PDF is damaged or incomplete (its pages cannot be read): export it again and "
                             "send it again"),
    "pdf_too_many_pages": ("PDF 共 {pages} 页，超过安全上限 {limit} 页",
                           "the PDF has {pages} pages, over the safety limit of {limit} pages"),
    "pdf_page_damaged": ("PDF 第 {page} 页已损坏，无法读取（{error}）",
                         "page {page} of the PDF is damaged and cannot be read ({error})"),
}

#: What is damaged in an .xls compound file: each a DETAILS entry 'the file is damaged or incomplete (…)'.
_XLS_DAMAGE: dict[str, tuple[str, str]] = {
    "ole_header_short": ("复合文档头不完整", "the compound file's header is incomplete"),
    "ole_header_invalid": ("复合文档头无效", "the compound file's header is invalid"),
    "ole_header_sectors": ("复合文档头中的扇区数超出文件大小",
                           "the compound file's header counts more sectors than the file holds"),
    "ole_fat_chain": ("扇区分配表链无效", "the sector allocation table's chain is invalid"),
    "ole_fat_outside": ("扇区分配表指向文件之外", "the sector allocation table points outside the file"),
    "ole_directory_empty": ("复合文档目录为空", "the compound file's directory is empty"),
    "ole_ministream_size": ("复合文档的小流大小超出文件大小", "the compound file's mini stream is larger than the file"),
    "ole_stream_size": ("工作簿流的大小超出文件大小", "the workbook stream is larger than the file"),
    "ole_sector_short": ("扇区不完整", "a sector is incomplete"),
    "ole_chain_loop": ("扇区链无效或循环", "a sector chain is invalid or loops"),
    "xls_record_short": ("记录不完整", "a record is incomplete"),
    "xls_record_outside": ("记录超出工作簿流", "a record runs past the workbook stream"),
    "xls_sheet_record": ("工作表记录不完整", "a sheet record is incomplete"),
    "xls_strings": ("共享字符串表无效", "the shared string table is invalid"),
    "xls_sheet_offset": ("第 {number} 个工作表的位置超出工作簿流", "sheet {number} starts past the workbook stream"),
    "xls_cell_record": ("单元格记录不完整", "a cell record is incomplete"),
    "xls_merge_record": ("合并单元格记录不完整", "a merged-cells record is incomplete"),
    "xls_dimension": ("工作表尺寸记录无效", "a sheet's dimension record is invalid"),
    "xls_dimension_range": ("工作表尺寸记录超出 Excel 97-2003 的行列范围",
                            "a sheet's dimension record is beyond the rows and columns of Excel 97-2003"),
}
DETAILS.update({key: (f"文件已损坏或不完整（{zh}），请重新保存后再提交",
                      f"the file is damaged or incomplete ({en}): save it again and send it again")
                for key, (zh, en) in _XLS_DAMAGE.items()})

#: Why a file in the inputs is no submission (the JSON's top-level ``skipped``).
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "lock_file": ("Excel/WPS/LibreOffice 打开文件时留下的锁定文件，不是提交的文件",
                  "the lock file of a workbook open in Excel, WPS or LibreOffice, not a submission"),
    "not_a_submission": ("不是工作簿或报告（如图片、文本、JSON 文件），未审核",
                         "not a workbook (an image, a text or another kind of file): not reviewed"),
}

#: A department's documents (contract: "A department's documents"), named for people.
DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "overall": ("部门整体表", "overall table"),
    "project": ("项目表", "project table"),
    "base-data": ("基础数据表", "basic data table"),
    "report": ("自评报告", "report"),
}

#: What a department did not send (``MissingDocument.reason``).
MISSING_REASONS: dict[str, tuple[str, str]] = {
    "project_not_sent": ("未提交项目表：{title}", "project table not sent: {title}"),
    "no_scoring_table": ("只交了报告，未提交评分表", "a report but no scoring table"),
    "no_report": ("未提交自评报告", "no report sent"),
}


#: Short labels for counting a department's documents: '整体1 项目3 报告1'.
DOCUMENT_COUNTS: dict[str, tuple[str, str]] = {
    "overall": ("整体", "overall"), "project": ("项目", "projects"), "base-data": ("基础数据", "basic data"),
    "report": ("报告", "report"),
}


def documents_summary(kinds: list[str], lang: str = "zh") -> str:
    """How many documents of each kind: '整体1 项目3 报告1' / 'overall 1, projects 3, report 1'."""
    counts = {kind: kinds.count(kind) for kind in DOCUMENT_COUNTS if kind in kinds}
    if lang == "en":
        return ", ".join(f"{DOCUMENT_COUNTS[kind][1]} {n}" for kind, n in counts.items())
    return " ".join(f"{DOCUMENT_COUNTS[kind][0]}{n}" for kind, n in counts.items())


def document_kind(kind: str, title: str = "", lang: str = "zh") -> str:
    """'项目表“峨边在线”' / 'project table "峨边在线"'; the kind alone without a title."""
    zh, en = DOCUMENT_KINDS.get(kind, (kind, kind))
    if not title:
        return en if lang == "en" else zh
    return f'{en} "{title}"' if lang == "en" else f"{zh}“{title}”"


def missing_reason(reason: str, lang: str = "zh", **params: Any) -> str:
    zh, en = MISSING_REASONS[reason]
    return (en if lang == "en" else zh).format(**params)


#: Notes on a file as a whole: a check that could not be applied, said once rather than per cell.
NOTES: dict[str, tuple[str, str]] = {
    "values_only": ("以数值读取（.xls/.et/.ods 不含可核对的公式），未做公式完整性检查（公式被改、未计算）",
                    "read as values (.xls/.et/.ods carry no formulas perfxl can check): no formula "
                    "integrity checks (formulas overwritten, not recalculated)"),
}


def skip_reason(key: str, lang: str = "zh") -> str:
    zh, en = SKIP_REASONS[key]
    return en if lang == "en" else zh


def note(key: str, lang: str = "zh") -> str:
    zh, en = NOTES[key]
    return en if lang == "en" else zh


EMPTY = ("（空）", "(empty)")


def reason_text(key: str, lang: str = "zh", **params: Any) -> str:
    zh, en = REASONS[key]
    return (en if lang == "en" else zh).format(**params)


def detail_text(key: str, lang: str = "zh", **params: Any) -> str:
    """A reader's exact account (:data:`DETAILS`) in ``lang``. A key that is no entry is taken for a
    free text of old (a result recorded before the registry) and shown as it is."""
    if key not in DETAILS:
        return key
    zh, en = DETAILS[key]
    return (en if lang == "en" else zh).format(**params)


def place(key: str, lang: str = "zh", **params: Any) -> str:
    zh, en = PLACES[key]
    return (en if lang == "en" else zh).format(**params)


def render(finding: Any, lang: str = "zh") -> str:
    """The finding's message in ``lang`` (a :class:`~perfxl.model.Finding`)."""
    spec = REGISTRY[finding.code]
    template = spec.message(finding.variant, lang)
    params = {name: show(value, lang) for name, value in finding.params.items()
              if name not in ("reason", "detail_params")}
    reason, detail_key = finding.params.get("reason"), finding.params.get("detail_key")
    if detail_key in DETAILS:  # a reader's exact account, in the reader's language
        params["detail"] = detail_text(detail_key, lang, **finding.params.get("detail_params", {}))
    elif reason in REASONS and (lang == "en" or not finding.params.get("detail")):
        params["detail"] = reason_text(reason, lang, **params)
    for name, value in finding.params.items():  # ('key', {…}) names a place: worded in the reader's language
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0] in PLACES:
            params[name] = place(value[0], lang, **value[1])
    as_shown = percent if is_rate(finding) else show
    params.setdefault("expected", as_shown(finding.expected, lang))
    params.setdefault("found", as_shown(finding.found, lang))
    params.setdefault("sheet", finding.sheet or "")
    params.setdefault("cell", finding.cell or "")
    return template.format(**params)


def printed_values(finding: Any) -> tuple[Any, Any]:
    """应为 and 实为 as a printed table shows them: values, never a whole formula. A formula finding
    keeps its formulas in the JSON and the message; on paper it shows the value the template's formula
    gives and the value the cell shows (``value``/``shown``, when the check knew them)."""
    def value(raw: Any, key: str) -> Any:
        if isinstance(raw, str) and raw.startswith("=") and key in finding.params:
            return finding.params[key]
        return raw

    return value(finding.expected, "value"), value(finding.found, "shown")


def percent(value: Any, lang: str = "zh") -> str:
    """A rate (a fraction) as the percentage people read: 0.726 → 72.60%."""
    if isinstance(value, Decimal):
        return f"{round_half_up(value * 100, 2):f}%"
    return show(value, lang)


def show(value: Any, lang: str = "zh") -> str:
    """A value as a message shows it: numbers to the cent, nothing as （空）/(empty)."""
    if value is None:
        return EMPTY[1] if lang == "en" else EMPTY[0]
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, tuple):
        return value  # type: ignore[return-value]
    return str(value)
