"""Hand-laid standard forms (not perfxl templates) for the tests: seed 003 附件2/附件3 as published."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

SEED_003_ROWS = [
    ("产出指标\n\n(40分)", "数量指标", "中心组学习", "12次", "12次", 5, 5, ""),
    (None, None, "《强国复兴有我》巡回宣讲", "≥5场", "5场", 5, 5, ""),
    (None, None, "文化惠民活动", "≥100场", "≥100场", 5, 5, ""),
    (None, None, "查处非法宗教活动", "≥4起", "4起", 5, 5, ""),
    (None, "质量指标", "完成率", "100%", "100%", 10, 10, ""),
    (None, "时效指标", "全年", "全年", "全年", 10, 10, ""),
    ("效益指标\n\n（20分）", "经济效益指标", "品片宣传", "提升", "提升", 5, 5, ""),
    (None, "社会效益指标", "品牌形像", "提升", "提升", 5, 5, ""),
    (None, "生态效益指标", "生态文明", "提升", "提升", 5, 5, ""),
    (None, "可持续影响指标", "投资环境", "提升", "提升", 5, 5, ""),
    ("满意度\n指标\n（10分）", "服务对象满意度指标", "公众满意度", "95%", "96%", 10, 10, ""),
    ("成本指标（20分）", "经济成本指标", "整体支出", "476.74万元", "642.01万元", 20, 17, "因资金紧张部分款项夸年度支付。"),
    (None, "社会成本指标", "无", None, None, None, None, None),
    (None, "生态环境成本指标", "无", None, None, None, None, None),
]

SEED_003_BASE = [  # 附件2 经费控制情况: label, 2023年决算数, 2024年预算数, 2024年决算数
    ("三公经费", 0.14, 0.6, 0.6),
    ("   1、公务用车购置和维护经费", None, None, None),
    ("       其中：公车购置", None, None, None),
    ("             公车运行维护", None, None, None),
    ("   2、出国经费", None, None, None),
    ("   3、公务接待", 0.14, 0.6, 0.6),
    ("项目支出：", 222.21, 278.4, 381.36),
    ("    1、业务工作经费", None, None, 43.76),
    ("    2、运行维护经费", None, None, None),
    ("……", None, None, None),
    ("3、区级专项资金（一个专项一行）", None, None, None),
    ("意识形态专项资金", 222.21, 278.4, 337.6),
    ("公用经费", 25.1, 20.46, 31.03),
    ("    其中：办公经费", 7.47, 3, 5.59),
    ("          水费、电费、差旅费", 3.28, 0.5, 1.22),
    ("          会议费、培训费", None, None, None),
    ("政府采购金额", "——", 360.02, 360.02),
    ("部门基本支出预算调整 ", "——", 198.34, 260.65),
]


def seed_003_workbook(path: Path, rows=None, total=97, cover=True, base=None, breakdown=True,
                      grade: str | None = None, funds=(476.74, 642.01, "642.01万元", 10, "100%", 10)) -> Path:
    """附件3 laid out as published, starting at B2, after a cover sheet; 附件2 on its own sheet."""
    book = Workbook()
    if cover:
        book.active.title = "封面"
        book.active["A1"] = "2024年度部门整体支出绩效自评材料"
        sheet = book.create_sheet("附件3")
    else:
        sheet = book.active
        sheet.title = "附件3"
    sheet["B2"] = "2024年度部门（单位）整体支出绩效自评表"
    sheet["B3"] = "市级预算部门（单位）名称"
    sheet["D3"] = "中国共产党株洲市芦淞区委员会宣传部　"
    sheet["B4"] = "年度预\n算申请\n（万元）"
    for column, text in zip("DEFGHI", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], strict=True):
        sheet[f"{column}4"] = text
    sheet["C5"] = "年度资金总额"
    for column, value in zip("DEFGHI", funds, strict=True):
        sheet[f"{column}5"] = value
    if breakdown:
        sheet["C6"], sheet["F6"] = "按收入性质分：642.01", "按支出性质分：642.01"
        sheet["C7"], sheet["F7"] = "  其中：  一般公共预算：598.25", "其中：基本支出：260.65"
        sheet["C8"], sheet["F8"] = "政府性基金拨款：16", "项目支出：381.36"
        sheet["C9"] = "纳入专户管理的非税收入拨款："
        sheet["C10"] = "其他资金：27.76"
    headers = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    sheet["B11"] = "绩\n效\n指\n标"
    for index, text in enumerate(headers):
        sheet.cell(row=11, column=3 + index, value=text)
    row = 12
    for values in rows or SEED_003_ROWS:
        for index, value in enumerate(values):
            if value is not None:
                sheet.cell(row=row, column=3 + index, value=value)
        row += 1
    sheet.merge_cells("C12:C17")
    sheet.merge_cells("D12:D15")
    sheet.merge_cells("C18:C21")
    sheet.merge_cells("C23:C25")
    sheet.cell(row=row, column=2, value="总分")
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
    sheet.cell(row=row, column=8, value=100)
    sheet.cell(row=row, column=9, value=total)
    if grade is not None:
        sheet.cell(row=row + 1, column=2, value="评价等次")
        sheet.cell(row=row + 1, column=9, value=grade)
    sheet.cell(row=row + 3, column=2, value="填表人：易静   填报日期：2025.10.10")
    base_sheet = book.create_sheet("附件2")
    base_sheet["A1"] = "2024年度部门（单位）整体支出绩效评价基础数据表"
    for column, text in zip("ABCD", ["财政供养人员情况（人）", "编制数", "2024年实际在职人数", "控制率"], strict=True):
        base_sheet[f"{column}2"] = text
    base_sheet["B3"], base_sheet["C3"], base_sheet["D3"] = 14, 14, "100%"
    for column, text in zip("ABCD", ["经费控制情况（万元）", "2023年决算数", "2024年预算数", "2024年决算数"], strict=True):
        base_sheet[f"{column}5"] = text
    for offset, values in enumerate(base or SEED_003_BASE):
        for column, value in zip("ABCD", values, strict=True):
            if value is not None:
                base_sheet[f"{column}{6 + offset}"] = value
    book.save(path)
    return path
