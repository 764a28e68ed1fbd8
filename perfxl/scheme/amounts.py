"""The amount tables beside the scoring table: the funds breakdown and the base data (附件2).

Their rows and which figure is the sum of which are defined once, here, as data. The template
writer turns each sum into a SUM formula; both readers turn it into an
:class:`~perfxl.model.AmountSum` that the checks compare with the rounding tolerance of domain.md §4.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AmountRow:
    key: str
    label: str  # as printed in the template
    synonyms: tuple[str, ...] = ()  # how clerks write it (matched as prefixes, normalised)
    parts: tuple[str, ...] = ()  # keys of the rows this one is the sum of
    indent: int = 0
    input_label: bool = False  # the clerk names the row (one special fund per row)
    in_template: bool = True  # False: recognised in clerks' tables only (project-table wording)

    def names(self) -> tuple[str, ...]:
        return (self.label.split("、")[-1].removeprefix("其中："), *self.synonyms)


#: 年度资金总额 by income nature and by expenditure nature (domain.md §1).
FUNDS_ROWS: tuple[AmountRow, ...] = (
    AmountRow("general", "一般公共预算", ("一般公共预算拨款", "公共财政拨款", "财政拨款")),
    AmountRow("fund", "政府性基金拨款", ("政府性基金", "政府基金拨款")),
    AmountRow("state_capital", "国有资本经营预算", ("国有资本经营预算拨款",)),
    AmountRow("special_account", "纳入专户管理的非税收入拨款", ("纳入专户管理的非税收入",)),
    AmountRow("other", "其他资金", ("其他收入",)),
    # 项目支出绩效自评表 splits 项目资金 into 当年财政拨款 / 上年结转资金 / 其他资金 (domain.md §1).
    AmountRow("current_year", "当年财政拨款", ("本年财政拨款",), in_template=False),
    AmountRow("carried_over", "上年结转资金", ("上年结转",), in_template=False),
    AmountRow("income_total", "收入合计", (),
              ("general", "fund", "state_capital", "special_account", "other", "current_year", "carried_over")),
    AmountRow("basic", "基本支出", (), ("personnel", "public")),
    AmountRow("personnel", "其中：人员经费", ("人员支出",), indent=1),
    AmountRow("public", "公用经费", ("公用支出",), indent=1),
    AmountRow("project", "项目支出"),
    AmountRow("spending_total", "支出合计", (), ("basic", "project")),
)
INCOME_KEYS = ("general", "fund", "state_capital", "special_account", "other")  # as in the template

#: 附件2 经费控制情况 (万元), three year columns.
BASE_ROWS: tuple[AmountRow, ...] = (
    AmountRow("three_public", "三公经费", ("“三公”经费", "三公经费支出"), ("cars", "abroad", "reception")),
    AmountRow("cars", "1、公务用车购置和维护经费", ("公务用车购置及运行维护费", "公务用车购置及运行费"),
              ("car_purchase", "car_running"), indent=1),
    AmountRow("car_purchase", "其中：公车购置", ("公务用车购置",), indent=2),
    AmountRow("car_running", "公车运行维护", ("公务用车运行维护",), indent=2),
    AmountRow("abroad", "2、出国经费", ("因公出国（境）费", "因公出国"), indent=1),
    AmountRow("reception", "3、公务接待", ("公务接待费",), indent=1),
    AmountRow("projects", "项目支出", (), ("business", "operations", "special1", "special2", "special3")),
    AmountRow("business", "1、业务工作经费", (), indent=1),
    AmountRow("operations", "2、运行维护经费", (), indent=1),
    AmountRow("special1", "3、专项资金（一个专项一行）", (), indent=1, input_label=True),
    AmountRow("special2", "", (), indent=1, input_label=True),
    AmountRow("special3", "", (), indent=1, input_label=True),
    AmountRow("public", "公用经费", ()),
    AmountRow("office", "其中：办公经费", (), indent=1),
    AmountRow("utilities", "水费、电费、差旅费", (), indent=1),
    AmountRow("meetings", "会议费、培训费", (), indent=1),
    AmountRow("procurement", "政府采购金额", ()),
    AmountRow("basic_adjustment", "部门基本支出预算调整", ()),
)


def rows_by_key(rows: tuple[AmountRow, ...]) -> dict[str, AmountRow]:
    return {row.key: row for row in rows}


def template_rows(rows: tuple[AmountRow, ...]) -> tuple[AmountRow, ...]:
    """The rows a template prints (and the parts its SUM formulas may use)."""
    return tuple(row for row in rows if row.in_template)


#: 控制率 = 实际在职人数 / 编制数, in perfxl's rule language (template formula and recomputation).
STAFFING_RATE = ('IF(AND(ISNUMBER(authorized), ISNUMBER(actual)), '
                 'IF(authorized > 0, ROUND(actual / authorized, 4), ""), "")')


TEMPLATE_FUNDS_ROWS = template_rows(FUNDS_ROWS)
