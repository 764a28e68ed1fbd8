"""The ``perfxl`` command: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from perfxl import __version__
from perfxl.collection import ledger
from perfxl.collection.round import RoundError, RoundOptions, run_round
from perfxl.collection.runner import DEFAULT_TIMEOUT
from perfxl.model import FileResult
from perfxl.outputs.terminal import (
    format_collection,
    format_file,
    format_status,
    format_summary,
    format_superseded,
)
from perfxl.scheme import SchemeError, load_scheme
from perfxl.template.roster import (
    MANIFEST_CSV,
    RosterError,
    read_roster,
    write_roster_templates,
)
from perfxl.template.writer import default_year, write_template

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
        "reconcile": "审核收回的自评表：重新计算并列出每一处不一致。\n\n"
                     "退出码：0 无错误；1 至少一个错误（含无法读取的文件）；2 用法错误。",
        "reconcile.scheme": "按此方案审核（默认：模板自带方案 / standard）。",
        "reconcile.json": "JSON 结果文件。",
        "reconcile.csv": "CSV 问题清单。",
        "reconcile.report": "审核报告工作簿（汇总、问题明细、统计图表）。",
        "reconcile.annotate": "把有问题的文件另存一份到此目录，标出问题单元格并加批注（原文件不动）。",
        "reconcile.roster": "部门名单：按部门汇总，列出未提交、重复提交和无法匹配的文件。",
        "reconcile.manifest": "生成模板时的 manifest.json，按模板编号匹配部门（默认在名单旁、收回文件夹旁的模板文件夹或台账记录中查找）。",
        "reconcile.ledger": f"台账文件（SQLite）。默认为当前文件夹中的 {ledger.DEFAULT_NAME}（或环境变量 PERFXL_LEDGER），与 perfxl status 相同。",
        "reconcile.no_ledger": "不记录台账。",
        "reconcile.jobs": "并行进程数。",
        "reconcile.timeout": "单个文件的处理时限（秒），超时即报告为无法读取；0 表示不限时、不隔离。",
        "reconcile.quiet": "只输出汇总。",
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
                              "(default: beside the roster).",
        "reconcile.ledger": f"Ledger file (SQLite). Default: {ledger.DEFAULT_NAME} in the current folder "
                            "(or $PERFXL_LEDGER), the same as perfxl status.",
        "reconcile.no_ledger": "Do not record in the ledger.",
        "reconcile.jobs": "Worker processes.",
        "reconcile.timeout": "Time limit per file in seconds (reported as unreadable when exceeded); "
                             "0: no limit, no isolation.",
        "reconcile.quiet": "Print the summary only.",
        "lang": "Language of messages (zh Chinese, en English).",
        "status": "Show the ledger per department: not submitted, errors, warnings only, clean, and "
                  "whether a resubmission fixed earlier findings.",
        "status.ledger": "Ledger file.",
    },
}
_H = HELP[help_language()]
LANG_OPTION = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help=_H["lang"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, help=_H["main"])
@click.version_option(__version__, prog_name="perfxl")
def main() -> None:
    pass


@main.command(help=_H["template"])
@click.argument("out", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scheme", default="standard", show_default=True,
              help=_H["template.scheme"])
@click.option("--department", help=_H["template.department"])
@click.option("--year", type=click.IntRange(2000, 2100), help=_H["template.year"])
@click.option("--password", help=_H["template.password"])
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=_H["template.roster"])
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), help=_H["template.out_dir"])
@click.option("--project", "projects", multiple=True, help=_H["template.project"])
@click.option("--project-scheme", default="classic", show_default=True, help=_H["template.project_scheme"])
@click.option("--force", is_flag=True, help=_H["template.force"])
@LANG_OPTION
def template(out: Path | None, scheme: str, department: str | None, year: int | None, password: str | None,
             roster: Path | None, out_dir: Path | None, projects: tuple[str, ...], project_scheme: str, force: bool,
             lang: str) -> None:
    zh = lang == "zh"
    try:
        loaded, project_loaded = load_scheme(scheme), load_scheme(project_scheme)
    except SchemeError as exc:
        raise click.UsageError(str(exc)) from None
    if roster is not None:
        if out is not None or out_dir is None:
            raise click.UsageError("按名单生成时请用 --out-dir 指定输出目录，不要同时给出 OUT 文件" if zh else
                                   "with --roster give --out-dir, not an OUT file")
        try:
            departments = read_roster(roster)
        except RosterError as exc:
            raise click.UsageError(str(exc)) from None
        year = year or default_year()
        with click.progressbar(length=len(departments), label="生成模板" if zh else "templates", show_pos=True) as bar:
            written = write_roster_templates(departments, out_dir, loaded, year, password, bar.update,
                                             force=force, project_scheme=project_loaded)
        kept = len(written.entries) - len(written.written)
        click.echo(f"已为 {len(written.written)} 个部门生成模板，保留已有 {kept} 份，清单见 {out_dir / MANIFEST_CSV}"
                   if zh else f"{len(written.written)} templates written, {kept} existing kept; "
                              f"manifest: {out_dir / MANIFEST_CSV}")
        return
    if out is None:
        raise click.UsageError("请给出输出文件 OUT，或用 --roster 与 --out-dir 按名单生成" if zh else
                               "give an OUT file, or --roster with --out-dir")
    if out.exists() and not force:
        click.echo(f"错误：{out} 已存在，未做任何改动（确需覆盖请加 --force）" if zh else
                   f"Error: {out} exists and was left as it is (use --force to overwrite)", err=True)
        sys.exit(EXIT_USAGE)
    info = write_template(out, loaded, department=department, year=year, password=password,
                          projects=tuple((name, project_loaded) for name in projects))
    click.echo(f"已生成模板 {info.path}（方案 {loaded.name}：{loaded.fingerprint()}）" if zh else
               f"template written: {info.path} (scheme {loaded.name}: {loaded.fingerprint()})")


@main.command(help=_H["reconcile"])
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--scheme", default=None, help=_H["reconcile.scheme"])
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help=_H["reconcile.json"])
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help=_H["reconcile.csv"])
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help=_H["reconcile.report"])
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help=_H["reconcile.annotate"])
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=_H["reconcile.roster"])
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=_H["reconcile.manifest"])
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help=_H["reconcile.ledger"])
@click.option("--no-ledger", is_flag=True, help=_H["reconcile.no_ledger"])
@click.option("--jobs", type=click.IntRange(1, 256), default=1, show_default=True, help=_H["reconcile.jobs"])
@click.option("--timeout", type=click.FloatRange(0), default=DEFAULT_TIMEOUT, show_default=True,
              help=_H["reconcile.timeout"])
@LANG_OPTION
@click.option("--quiet", "-q", is_flag=True, help=_H["reconcile.quiet"])
def reconcile(paths: tuple[Path, ...], scheme: str | None, json_path: Path | None, csv_path: Path | None,
              report_path: Path | None, annotate_dir: Path | None, roster: Path | None, manifest: Path | None,
              ledger_path: Path | None, no_ledger: bool, jobs: int, timeout: float, lang: str, quiet: bool) -> None:
    options = RoundOptions(paths, scheme, roster, manifest, ledger_path, no_ledger, json_path, csv_path, report_path,
                           annotate_dir, jobs, timeout, lang)

    progress = _Progress(lang) if not quiet else None
    try:
        outcome = run_round(options, on_result=progress)
    except RoundError as exc:
        raise click.UsageError(exc.message(lang)) from None
    except KeyboardInterrupt:
        click.echo("\n已中断：已完成的文件已记入台账，未写出任何不完整的结果文件" if lang == "zh" else
                   "\ninterrupted: finished files are in the ledger, no output was left half-written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if progress is not None:
            progress.done()
    if not quiet:
        for result in outcome.current:
            block = format_file(result, lang)
            if block:
                click.echo(block, nl=False)
    click.echo(format_superseded(outcome.superseded, lang), nl=False)
    for path, message in outcome.annotate_errors:
        click.echo(f"未生成批注副本 {path}：{message}" if lang == "zh" else
                   f"no annotated copy of {path}: {message}", err=True)
    if outcome.departments is not None:
        if outcome.manifest is None:
            click.echo("未找到模板清单 manifest.json：仅按表内部门名称匹配名单" if lang == "zh" else
                       "no manifest.json found: matched to the roster by department name only")
        click.echo(format_collection(outcome.rows, lang), nl=False)
    if annotate_dir is not None:
        removed = f"，删除不再适用的旧副本 {len(outcome.removed_copies)} 份" if outcome.removed_copies else ""
        click.echo(f"已生成 {len(outcome.annotated)} 份批注副本{removed}：{annotate_dir}" if lang == "zh" else
                   f"{len(outcome.annotated)} annotated copies in {annotate_dir}"
                   + (f" ({len(outcome.removed_copies)} earlier copies removed)" if outcome.removed_copies else ""))
    if outcome.reused:
        click.echo(f"（{outcome.reused} 个文件内容未变，沿用台账中的审核结果）" if lang == "zh" else
                   f"({outcome.reused} files unchanged since they were checked: results taken from the ledger)")
    click.echo(format_summary(outcome.summary, lang))
    sys.exit(EXIT_FINDINGS if outcome.has_errors else EXIT_OK)


class _Progress:
    """'已审核 120/1500 …' on a terminal while the round goes on; nothing when output is redirected."""

    def __init__(self, lang: str):
        self.lang = lang
        self.count = 0
        self.started = time.monotonic()
        self.live = sys.stderr.isatty()

    def __call__(self, result: FileResult) -> None:
        self.count += 1
        if self.live:
            rate = self.count / max(time.monotonic() - self.started, 1e-6)
            text = (f"已审核 {self.count} 个文件（{rate:.0f} 个/秒）" if self.lang == "zh" else
                    f"{self.count} files checked ({rate:.0f}/s)")
            click.echo("\r" + text, nl=False, err=True)

    def done(self) -> None:
        if self.live and self.count:
            click.echo("\r" + " " * 40 + "\r", nl=False, err=True)


@main.command(help=_H["status"])
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=_H["status.ledger"])
@LANG_OPTION
def status(ledger_path: Path | None, lang: str) -> None:
    ledger_path = ledger_path or ledger.default_path()
    try:
        rows = ledger.status(ledger_path)
    except FileNotFoundError:
        raise click.UsageError(f"找不到台账文件 {ledger_path}（先运行 perfxl reconcile … --roster）" if lang == "zh"
                               else f"no ledger at {ledger_path} (run perfxl reconcile … --roster first)") from None
    click.echo(format_status(rows, lang), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
