"""Realistic filled tables, taken from published self-evaluation reports (shared/seeds).

They feed the bundled examples, the tests and the benchmark. A sample is what a clerk types:
text exactly as it would be entered in the template's input cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from perfxl.template.layout import (
    BASE_COLUMNS,
    BASE_SHEET,
    FUNDS_COLUMNS,
    FUNDS_SHEET,
    STAFFING,
    TemplateLayout,
)


@dataclass(frozen=True)
class Row:
    level: str
    group: str
    name: str
    op: str
    target: str
    unit: str
    actual: str
    weight: str
    score: str
    reason: str = ""


@dataclass(frozen=True)
class Sample:
    key: str
    department: str
    year: int
    scheme: str
    initial: str
    budget: str
    executed: str
    expected_goal: str
    achieved_goal: str
    rows: tuple[Row, ...]
    filler: dict[str, str] = field(default_factory=dict)
    # 资金构成: row key → (年初预算数, 全年预算数, 全年执行数); 基础数据表: row key → three years.
    funds_breakdown: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    base_data: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    staffing: tuple[str, str] = ("", "")  # 编制数, 实际在职人数
    special_funds: tuple[str, ...] = ()  # names of the 专项资金 rows

    def with_row(self, index: int, **changes: str) -> Sample:
        rows = list(self.rows)
        rows[index] = replace(rows[index], **changes)
        return replace(self, rows=tuple(rows))


# Seed 003 附件3: 中国共产党株洲市芦淞区委员会宣传部, 2024, total 97 (standard scheme).
LUSONG_2024 = Sample(
    key="lusong-2024",
    department="中国共产党株洲市芦淞区委员会宣传部",
    year=2024,
    scheme="standard",
    initial="476.74", budget="642.01", executed="642.01",
    expected_goal="通过多样化的宣传手段，及时准确地传达芦淞区的新情况、新成绩、新经验和新典型，提升宣传质量，"
                  "打造有特色的宣传品牌，展现芦淞形象，为芦淞区的发展营造良好的舆论氛围。",
    achieved_goal="围绕信息传播、品牌建设等目标积极行动，高质量完成各类任务，及时发布准确信息，有效提升了芦淞区的"
                  "整体形象，总体目标完成出色，为芦淞区发展营造了良好氛围。",
    rows=(
        Row("output", "数量指标", "中心组学习", "=", "12", "次", "12", "5", "5"),
        Row("output", "数量指标", "《强国复兴有我》巡回宣讲", "≥", "5", "场", "5", "5", "5"),
        Row("output", "数量指标", "文化惠民活动", "≥", "100", "场", "100", "5", "5"),
        Row("output", "数量指标", "查处非法宗教活动", "≥", "4", "起", "4", "5", "5"),
        Row("output", "质量指标", "完成率", "=", "100%", "%", "100%", "10", "10"),
        Row("output", "时效指标", "全年", "定性", "全年", "", "全年", "10", "10"),
        Row("benefit", "经济效益指标", "品片宣传", "定性", "提升", "", "提升", "5", "5"),
        Row("benefit", "社会效益指标", "品牌形像", "定性", "提升", "", "提升", "5", "5"),
        Row("benefit", "生态效益指标", "生态文明", "定性", "提升", "", "提升", "5", "5"),
        Row("benefit", "可持续影响指标", "投资环境", "定性", "提升", "", "提升", "5", "5"),
        Row("satisfaction", "服务对象满意度指标", "公众满意度", "≥", "95%", "%", "96%", "10", "10"),
        Row("cost", "经济成本指标", "整体支出", "≤", "476.74", "万元", "642.01", "20", "17",
            "因资金紧张部分款项跨年度支付。"),
    ),
    filler={"name": "易静", "phone": "28580500", "date": "2025.10.10", "head": "文韶松"},
    funds_breakdown={
        "general": ("", "598.25", "598.25"), "fund": ("", "16", "16"), "other": ("", "27.76", "27.76"),
        "personnel": ("", "229.62", "229.62"), "public": ("", "31.03", "31.03"),
        "project": ("", "381.36", "381.36"),
    },
    base_data={  # 附件2: 2023年决算数, 2024年预算数, 2024年决算数
        "reception": ("0.14", "0.6", "0.6"),
        "business": ("", "", "43.76"),
        "special1": ("222.21", "278.4", "337.6"),
        "public": ("25.1", "20.46", "31.03"),
        "office": ("7.47", "3", "5.59"),
        "utilities": ("3.28", "0.5", "1.22"),
        "procurement": ("", "360.02", "360.02"),
        "basic_adjustment": ("", "198.34", "260.65"),
    },
    staffing=("14", "14"),
    special_funds=("意识形态专项资金",),
)

# Seed 002: 中国共产党广州市荔湾区委员会宣传部, 2022: 2659.40 / 3663.27 = 72.60% → 7.26.
# The funds are as published; the indicator rows are an illustrative, internally consistent table.
LIWAN_2022 = Sample(
    key="liwan-2022",
    department="中国共产党广州市荔湾区委员会宣传部",
    year=2022,
    scheme="standard",
    initial="3402.15", budget="3663.27", executed="2659.40",
    expected_goal="开展一系列正面宣传，全方位做好重点项目建设宣传报道，传播新时代荔湾发展“好声音”，巩固壮大主流思想舆论。",
    achieved_goal="全年完成各项宣传任务，主流媒体报道量同比增长；部分项目受疫情影响延期，资金未能全部支出。",
    rows=(
        Row("output", "数量指标", "重大主题宣传活动", "≥", "20", "场", "22", "10", "10"),
        Row("output", "数量指标", "区级媒体发稿量", "≥", "3000", "条", "3300", "10", "10"),
        Row("output", "数量指标", "文化惠民演出", "≥", "50", "场", "40", "5", "4",
            "受疫情防控影响，部分线下演出取消；下一年度增加线上演出。"),
        Row("output", "质量指标", "稿件审核合格率", "=", "100%", "%", "100%", "10", "10"),
        Row("output", "时效指标", "任务按期完成", "定性", "按期完成", "", "按期完成", "5", "5"),
        Row("benefit", "社会效益指标", "主流舆论影响力", "定性", "提升", "", "提升", "10", "9",
            "个别栏目传播力仍有差距，将加强新媒体运营。"),
        Row("benefit", "可持续影响指标", "宣传阵地建设", "定性", "持续加强", "", "持续加强", "10", "10"),
        Row("satisfaction", "服务对象满意度指标", "群众满意度", "≥", "90%", "%", "95%", "10", "10"),
        Row("cost", "经济成本指标", "项目支出成本", "≤", "1600", "万元", "1461.15", "20", "20"),
    ),
    filler={"name": "李明", "phone": "81234567", "date": "2023.03.20", "head": "王强"},
)

# Seed 004: 峨边彝族自治县融媒体中心, “峨边在线”项目, 2024, classic scheme (10/50/30/10), total 100.
EBIAN_2024 = Sample(
    key="ebian-2024",
    department="峨边彝族自治县融媒体中心",
    year=2024,
    scheme="classic",
    initial="35", budget="35", executed="35",
    expected_goal="保障“峨边在线”微信公众号平台全年稳定运营，及时发布政务信息和本地新闻。",
    achieved_goal="2024年按月按时据实支出35万元，平台全年稳定运营，信息共享得到保障，满意度达100%。",
    rows=(
        Row("output", "数量指标", "发布图文信息", "≥", "7000", "条", "7798", "15", "15"),
        Row("output", "数量指标", "发布视频信息", "≥", "900", "条", "987", "10", "10"),
        Row("output", "质量指标", "信息审核通过率", "=", "100%", "%", "100%", "10", "10"),
        Row("output", "时效指标", "按月支付运营费用", "定性", "按月支付", "", "按月支付", "5", "5"),
        Row("output", "成本指标", "项目成本", "≤", "35", "万元", "35", "10", "10"),
        Row("benefit", "社会效益指标", "信息共享水平", "定性", "提升", "", "提升", "15", "15"),
        Row("benefit", "可持续影响指标", "平台持续运营", "定性", "持续", "", "持续", "15", "15"),
        Row("satisfaction", "服务对象满意度指标", "用户满意度", "≥", "95%", "%", "100%", "10", "10"),
    ),
    filler={"name": "张华", "phone": "5123456", "date": "2025.03.15", "head": "刘伟"},
)

SAMPLES = {sample.key: sample for sample in (LUSONG_2024, LIWAN_2022, EBIAN_2024)}


def input_cells(sample: Sample, layout: TemplateLayout) -> dict[str, str]:
    """What a clerk types, cell by cell, to fill a template with ``sample``.

    Rows go into the next free slot of their group; a sample with more rows in a group than the
    template has slots is an error (the template would not fit the table).
    """
    cells: dict[str, str] = {
        layout.funds["initial"]: sample.initial,
        layout.funds["budget"]: sample.budget,
        layout.funds["executed"]: sample.executed,
        layout.goals["expected"]: sample.expected_goal,
        layout.goals["achieved"]: sample.achieved_goal,
    }
    free = {}
    for slot in layout.rows:
        free.setdefault((slot.level, slot.group), []).append(slot)
    for row in sample.rows:
        slots = free.get((row.level, row.group))
        if not slots:
            raise ValueError(f"no free row for {row.level}/{row.group} in this template")
        slot = slots.pop(0)
        for key in ("name", "op", "target", "unit", "actual", "weight", "score", "reason"):
            value = getattr(row, key)
            if value:
                cells[slot.cell(key)] = value
    footer = layout.footer_row
    for column, key in (("B", "name"), ("F", "phone"), ("J", "date"), ("L", "head")):
        if sample.filler.get(key):
            cells[f"{column}{footer}"] = sample.filler[key]
    for key, values in sample.funds_breakdown.items():
        for column, value in zip(FUNDS_COLUMNS.values(), values, strict=True):
            if value:
                cells[f"{FUNDS_SHEET}!{column}{layout.funds_rows[key]}"] = value
    for key, values in sample.base_data.items():
        for column, value in zip(BASE_COLUMNS, values, strict=True):
            if value:
                cells[f"{BASE_SHEET}!{column}{layout.base_rows[key]}"] = value
    for index, name in enumerate(sample.special_funds):
        cells[f"{BASE_SHEET}!A{layout.base_rows[f'special{index + 1}']}"] = name
    for ref, value in zip((STAFFING["authorized"], STAFFING["actual"]), sample.staffing, strict=True):
        if value:
            cells[f"{BASE_SHEET}!{ref}"] = value
    return cells
