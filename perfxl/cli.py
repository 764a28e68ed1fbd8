"""The ``perfxl`` command: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, collect, ledger
from .batch import DEFAULT_TIMEOUT
from .model import FileResult
from .reconcile import reconcile_paths
from .report import Run, format_collection, format_file, format_status, format_summary
from .roster import MANIFEST_CSV, MANIFEST_JSON, RosterError, read_roster, write_roster_templates
from .scheme import SchemeError, load_scheme
from .template import default_year, write_template

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfxl")
def main() -> None:
    """perfxl：绩效自评表模板生成与自动审核。

    \b
    perfxl template 自评表.xlsx --department 部门名称 --year 2024
    perfxl reconcile 收回文件夹/ --json 结果.json --csv 问题.csv
    """


@main.command()
@click.argument("out", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scheme", default="standard", show_default=True,
              help="方案名称（standard、classic）或方案文件（TOML）。")
@click.option("--department", help="部门（单位）名称，预先填入并锁定。")
@click.option("--year", type=click.IntRange(2000, 2100), help="评价年度，默认上一年。")
@click.option("--password", help="工作表与工作簿保护密码（可选）。")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="部门名单（.xlsx 或 .csv：部门编码、部门名称，可含年初预算数/全年预算数/全年执行数）。")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), help="按名单生成模板的输出目录。")
def template(out: Path | None, scheme: str, department: str | None, year: int | None, password: str | None,
             roster: Path | None, out_dir: Path | None) -> None:
    """生成带公式、已锁定的自评表模板（单个，或按名单每个部门一份）。"""
    try:
        loaded = load_scheme(scheme)
    except SchemeError as exc:
        raise click.UsageError(str(exc)) from None
    if roster is not None:
        if out is not None or out_dir is None:
            raise click.UsageError("按名单生成时请用 --out-dir 指定输出目录，不要同时给出 OUT 文件")
        try:
            departments = read_roster(roster)
        except RosterError as exc:
            raise click.UsageError(str(exc)) from None
        year = year or default_year()
        with click.progressbar(length=len(departments), label="生成模板", show_pos=True) as bar:
            entries = write_roster_templates(departments, out_dir, loaded, year, password, bar.update)
        click.echo(f"已为 {len(entries)} 个部门生成模板，清单见 {out_dir / MANIFEST_CSV}")
        return
    if out is None:
        raise click.UsageError("请给出输出文件 OUT，或用 --roster 与 --out-dir 按名单生成")
    info = write_template(out, loaded, department=department, year=year, password=password)
    click.echo(f"已生成模板 {info.path}（方案 {loaded.name}：{loaded.fingerprint()}）")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--scheme", default=None, help="按此方案审核（默认：模板自带方案 / standard）。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="JSON 结果文件。")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="CSV 问题清单。")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="审核报告工作簿（汇总、问题明细、统计图表）。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="把有问题的文件另存一份到此目录，标出问题单元格并加批注（原文件不动）。")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="部门名单：按部门汇总，列出未提交、重复提交和无法匹配的文件。")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="生成模板时的 manifest.json，按模板编号匹配部门（默认在名单旁查找）。")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help=f"台账文件（SQLite）。默认在输出文件旁的 {ledger.DEFAULT_NAME}；只在终端查看时不记录。")
@click.option("--no-ledger", is_flag=True, help="不记录台账。")
@click.option("--jobs", type=click.IntRange(1, 256), default=1, show_default=True, help="并行进程数。")
@click.option("--timeout", type=click.FloatRange(0), default=DEFAULT_TIMEOUT, show_default=True,
              help="单个文件的处理时限（秒），超时即报告为无法读取；0 表示不限时、不隔离。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言。")
@click.option("--quiet", "-q", is_flag=True, help="只输出汇总。")
def reconcile(paths: tuple[Path, ...], scheme: str | None, json_path: Path | None, csv_path: Path | None,
              report_path: Path | None, annotate_dir: Path | None, roster: Path | None, manifest: Path | None,
              ledger_path: Path | None, no_ledger: bool, jobs: int, timeout: float, lang: str, quiet: bool) -> None:
    """审核收回的自评表：重新计算并列出每一处不一致。

    退出码：0 无错误；1 至少一个错误（含无法读取的文件）；2 用法错误。
    """
    scheme_obj = None
    if scheme is not None:
        try:
            scheme_obj = load_scheme(scheme)
        except SchemeError as exc:
            raise click.UsageError(str(exc)) from None
    departments = None
    if roster is not None:
        try:
            departments = read_roster(roster)
        except RosterError as exc:
            raise click.UsageError(str(exc)) from None
        if manifest is None and (roster.parent / MANIFEST_JSON).exists():
            manifest = roster.parent / MANIFEST_JSON
    outputs = [p for p in (report_path, json_path, csv_path) if p is not None]
    if ledger_path is None and outputs and not no_ledger:
        ledger_path = outputs[0].parent / ledger.DEFAULT_NAME
    keep = departments is not None or report_path is not None or (ledger_path is not None and not no_ledger)

    if annotate_dir is not None:
        _check_annotate_dir(annotate_dir, paths)
    run = Run(scheme_obj.name if scheme_obj else "standard", json_path, csv_path, lang)
    kept: list[FileResult] = []
    annotated: set[Path] = set()
    try:
        for result in reconcile_paths(paths, scheme_obj, jobs=jobs, timeout=timeout or None):
            run.add(result)
            if keep:
                kept.append(result)
            if annotate_dir is not None:
                _annotate(result, annotate_dir, lang, annotated)
            if not quiet:
                block = format_file(result, lang)
                if block:
                    click.echo(block, nl=False)
    except BaseException:
        run.abort()
        raise
    run.close()
    rows = collect.match(kept, departments, collect.load_manifest(manifest)) if departments is not None \
        else collect.rows_without_roster(kept)
    if report_path is not None:
        from .report_xlsx import write_report

        write_report(report_path, rows, lang)
    if ledger_path is not None and not no_ledger:
        ledger.record(ledger_path, rows, departments, scheme_obj.name if scheme_obj else "standard")
    if departments is not None:
        click.echo(format_collection(rows, lang), nl=False)
    if annotate_dir is not None:
        click.echo(f"已生成 {len(annotated)} 份批注副本：{annotate_dir}" if lang == "zh" else
                   f"{len(annotated)} annotated copies in {annotate_dir}")
    click.echo(format_summary(run.summary, lang))
    sys.exit(EXIT_FINDINGS if run.summary.has_errors else EXIT_OK)


def _check_annotate_dir(annotate_dir: Path, inputs: tuple[Path, ...]) -> None:
    """Copies written among the submissions would be read as submissions next time: refuse."""
    target = annotate_dir.resolve()
    for path in inputs:
        folder = path.resolve() if path.is_dir() else path.resolve().parent
        if target == folder or folder in target.parents:
            raise click.UsageError(f"--annotate 目录 {annotate_dir} 不能位于待审核的文件夹 {path} 之内，"
                                   "否则批注副本下次会被当作提交文件审核")


def _annotate(result: FileResult, annotate_dir: Path, lang: str, written: set[Path]) -> None:
    """One annotated copy; a file that cannot be annotated is reported and the batch goes on."""
    from .annotate import AnnotateError, annotate

    try:
        annotate(result, annotate_dir, lang, written=written)
    except Exception as exc:  # AnnotateError, or openpyxl failing on it: never stop the batch
        if not isinstance(exc, AnnotateError):
            exc = AnnotateError(f"{type(exc).__name__}: {exc}")
        click.echo(f"未生成批注副本 {result.path}：{exc}" if lang == "zh" else
                   f"no annotated copy of {result.path}: {exc}", err=True)


@main.command()
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(ledger.DEFAULT_NAME), show_default=True, help="台账文件。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def status(ledger_path: Path, lang: str) -> None:
    """按部门查看台账：未提交、有错误、仅有警告、通过，以及重新提交是否修正了问题。"""
    try:
        rows = ledger.status(ledger_path)
    except FileNotFoundError:
        raise click.UsageError(f"找不到台账文件 {ledger_path}（先运行 perfxl reconcile … --roster）") from None
    click.echo(format_status(rows, lang), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
