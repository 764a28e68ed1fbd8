"""What the command line says, in Chinese and English: help texts, and click's own messages.

click words its errors and help in English ("Error: …", "Missing argument", "Aborted!"); in Chinese
mode :func:`speak` puts the Chinese wording in their place, so that every line a clerk reads is in
one language.
"""

from __future__ import annotations

import os
import sys

from perfxl.collection.ledger import DEFAULT_NAME as LEDGER_NAME


def help_language(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> str:
    """The language of the help texts: ``--lang en`` on the command line, else $PERFXL_LANG, else zh.

    Help is printed before options are parsed, so the choice is read from the raw arguments.
    """
    argv = sys.argv[1:] if argv is None else argv
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return "en" if argv[index + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "en" if (os.environ if environ is None else environ).get("PERFXL_LANG", "").lower() == "en" else "zh"


HELP = {
    "zh": {
        "main": "perfxl：绩效自评表模板生成与自动审核。\n\n\b\n"
                "perfxl template 自评表.xlsx --department 部门名称 --year 2024\n"
                "perfxl reconcile 收回文件夹/ --json 结果.json --csv 问题.csv\n\n"
                "英文帮助与消息：--lang en（或环境变量 PERFXL_LANG=en）。",
        "template": "生成带公式、已锁定的自评表模板（单个，或按名单每个部门一份）。",
        "template.scheme": "方案名称（standard、classic）或方案文件（TOML）。",
        "template.department": "部门（单位）名称，预先填入并锁定。",
        "template.year": "评价年度，默认上一年。",
        "template.password": "工作表与工作簿保护密码（可选）。",
        "template.roster": "部门名单（.xlsx 或 .csv：部门编码、部门名称，可含年初预算数/全年预算数/全年执行数）。",
        "template.out_dir": "按名单生成模板的输出目录。",
        "template.project": "增加一张项目支出绩效自评表（项目名称；可重复，每个项目一张）。名单中可用“项目名称”列（多个用、或；分隔）。",
        "template.project_scheme": "项目支出绩效自评表的方案（默认 classic：预算执行10 产出50 效益30 满意度10）。",
        "template.force": "覆盖已存在的文件（模板编号不变）；不加时已存在的文件一律保留。",
        "template.targets": "批复绩效目标（.xlsx 或 .csv：部门编码、项目名称、一级/二级/三级指标、指标值、度量单位、分值）："
                            "与 --roster 一起使用，每个部门的模板预填并锁定其批复的指标、指标值和分值。",
        "reconcile": "审核收回的自评表：重新计算并列出每一处不一致。\n\n"
                     "退出码：0 无错误；1 至少一个错误（含无法读取的文件）；2 用法错误。",
        "reconcile.scheme": "按此方案审核（默认：模板自带方案 / standard）。",
        "reconcile.json": "JSON 结果文件。",
        "reconcile.csv": "CSV 问题清单。",
        "reconcile.report": "审核报告工作簿（汇总、问题明细、统计图表）。",
        "reconcile.annotate": "把有问题的文件另存一份到此目录，标出问题单元格并加批注（原文件不动）。",
        "reconcile.roster": "部门名单：按部门汇总，列出未提交、重复提交和无法匹配的文件。",
        "reconcile.manifest": "生成模板时的 manifest.json，按模板编号匹配部门（默认在名单旁、收回文件夹旁的模板文件夹或台账记录中查找）。",
        "reconcile.ledger": f"台账文件（SQLite）。默认为当前文件夹中的 {LEDGER_NAME}（或环境变量 PERFXL_LEDGER），与 perfxl status 相同。",
        "reconcile.no_ledger": "不记录台账。",
        "reconcile.require_report": "要求每个交了评分表的部门同时交自评报告（.docx/.pdf），未交的列为缺少。",
        "reconcile.targets": "批复绩效目标（.xlsx 或 .csv）：每张表的指标与其部门批复的指标、指标值和分值比对"
                             "（指标值或分值被改、缺少批复指标、新增未批复指标）。",
        "reconcile.jobs": "并行进程数。",
        "reconcile.timeout": "单个文件的处理时限（秒），超时即报告为无法读取；0 表示不限时、不隔离。",
        "reconcile.quiet": "只输出汇总。",
        "reconcile.verbose": "逐个列出所有有问题的文件（文件较多时默认只列出前 20 个有错误的文件）。",
        "lang": "消息语言（zh 中文，en 英文）。",
        "status": "按部门查看台账：未提交、有错误、仅有警告、通过，以及重新提交是否修正了问题。",
        "status.ledger": "台账文件。",
    },
    "en": {
        "main": "perfxl: templates and automatic checks for budget performance self-evaluation tables.\n\n\b\n"
                "perfxl template table.xlsx --department NAME --year 2024 --lang en\n"
                "perfxl reconcile inbox/ --json result.json --csv findings.csv --lang en\n\n"
                "Chinese is the default; use --lang en (or PERFXL_LANG=en) for English.",
        "template": "Write a locked template with formulas (one, or one per department of a roster).",
        "template.scheme": "Scheme name (standard, classic) or a scheme file (TOML).",
        "template.department": "Department name, prefilled and locked.",
        "template.year": "Year evaluated; default: last year.",
        "template.password": "Sheet and workbook protection password (optional).",
        "template.roster": "Roster (.xlsx or .csv: code, name, optionally the three budget figures).",
        "template.out_dir": "Output folder for the roster's templates.",
        "template.project": "Add a 项目支出绩效自评表 sheet for this project (repeatable). A roster may give a "
                            "项目名称 column (names separated by 、 or ；).",
        "template.project_scheme": "Scheme of the project tables (default classic: 10/50/30/10).",
        "template.force": "Overwrite existing files (template ids stay the same); without it existing files are kept.",
        "template.targets": "Approved targets (.xlsx or .csv: department code, project, 一级/二级/三级指标, 指标值, unit, "
                            "分值), with --roster: each template comes with its department's approved indicators, "
                            "targets and weights prefilled and locked.",
        "reconcile": "Check returned tables: recompute everything and list every mismatch.\n\n"
                     "Exit codes: 0 no errors; 1 at least one error (unreadable files included); 2 usage error.",
        "reconcile.scheme": "Check against this scheme (default: the template's own / standard).",
        "reconcile.json": "JSON result file.",
        "reconcile.csv": "CSV list of findings.",
        "reconcile.report": "Reviewer's workbook (summary, findings, statistics with charts).",
        "reconcile.annotate": "Write a copy of every file with findings here, flagged cells coloured and "
                              "commented (originals untouched).",
        "reconcile.roster": "Roster: results per department; lists missing, duplicate and unmatched files.",
        "reconcile.manifest": "manifest.json of the roster's templates, to match by template id "
                              "(default: beside the roster, beside the inbox or from the ledger).",
        "reconcile.ledger": f"Ledger file (SQLite). Default: {LEDGER_NAME} in the current folder "
                            "(or $PERFXL_LEDGER), the same as perfxl status.",
        "reconcile.no_ledger": "Do not record in the ledger.",
        "reconcile.targets": "Approved targets (.xlsx or .csv): every table's indicators are compared with the "
                             "indicators, targets and weights approved for its department.",
        "reconcile.require_report": "Every department that sends scoring tables must send its report (.docx/.pdf) "
                                    "too; one that does not is listed as missing it.",
        "reconcile.jobs": "Worker processes.",
        "reconcile.timeout": "Time limit per file in seconds (reported as unreadable when exceeded); "
                             "0: no limit, no isolation.",
        "reconcile.quiet": "Print the summary only.",
        "reconcile.verbose": "List every file with findings (big batches list the first 20 files with errors only).",
        "lang": "Language of messages (zh Chinese, en English).",
        "status": "Show the ledger per department: not submitted, errors, warnings only, clean, and "
                  "whether a resubmission fixed earlier findings.",
        "status.ledger": "Ledger file.",
    },
}


#: click's messages (its gettext message ids) in Chinese.
CLICK_ZH: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Aborted!": "已中止。",
    "Missing argument": "缺少参数",
    "Missing command.": "缺少子命令。",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "No such command {name!r}.": "没有子命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "default: {default}": "默认：{default}",
    "file": "文件", "directory": "文件夹", "path": "路径",
    "integer": "整数", "float": "数字",
}


def speak(lang: str) -> None:
    """Make click's own messages speak ``lang`` (Chinese replaces its English message ids)."""
    import click

    modules = [sys.modules[name] for name in list(sys.modules) if name == "click" or name.startswith("click.")]
    table = CLICK_ZH if lang == "zh" else {}

    def gettext(message: str) -> str:
        return table.get(message, message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    for module in modules:
        if hasattr(module, "_") and callable(module._):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    del click


def language(explicit: str | None = None) -> str:
    """--lang when given, else $PERFXL_LANG, else Chinese."""
    chosen = explicit or os.environ.get("PERFXL_LANG", "zh").lower()
    return "en" if chosen == "en" else "zh"

