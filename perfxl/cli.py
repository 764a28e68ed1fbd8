"""The ``perfxl`` command: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from perfxl import __version__
from perfxl.cli_text import HELP, help_language, language, speak
from perfxl.collection import ledger
from perfxl.collection.round import RoundError, RoundOptions, run_round
from perfxl.collection.runner import DEFAULT_TIMEOUT
from perfxl.model import FileResult
from perfxl.outputs.terminal import (
    format_collection,
    format_documents,
    format_files,
    format_no_copies,
    format_status,
    format_summary,
    format_superseded,
)
from perfxl.scheme import SchemeError, load_scheme
from perfxl.targets import TargetsError, read_targets
from perfxl.template.roster import (
    MANIFEST_CSV,
    RosterError,
    read_roster,
    write_roster_templates,
)
from perfxl.template.writer import default_year, write_template

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130



_H = HELP[help_language()]
speak(help_language())  # click's own messages too (parse errors come before any option is read)


class DataError(click.ClickException):
    """Bad data (a roster, a scheme file, an output that would land among the inputs): exit 2,
    said as it is, without the 'Usage:' preamble of a mistyped command."""

    exit_code = EXIT_USAGE


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """--lang of the command, else the one given before it (perfxl --lang en reconcile …), else $PERFXL_LANG."""
    chosen = language(value or ctx.meta.get("perfxl.lang") or _argv_language())
    ctx.meta["perfxl.lang"] = chosen  # shared with the subcommand's context
    speak(chosen)
    return chosen


def _argv_language() -> str | None:
    """--lang anywhere on the command line ('perfxl serve --help --lang en': help is printed first)."""
    args = sys.argv[1:]
    return help_language(args) if any(arg == "--lang" or arg.startswith("--lang=") for arg in args) else None


LANG_OPTION = click.option("--lang", type=click.Choice(["zh", "en"]), default=None, callback=_set_language,
                           is_eager=True, help=_H["lang"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, help=_H["main"])
@click.version_option(__version__, prog_name="perfxl")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, callback=_set_language, is_eager=True,
              expose_value=False, help=_H["lang"])
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
@click.option("--targets", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=_H["template.targets"])
@LANG_OPTION
def template(out: Path | None, scheme: str, department: str | None, year: int | None, password: str | None,
             roster: Path | None, out_dir: Path | None, projects: tuple[str, ...], project_scheme: str, force: bool,
             targets: Path | None, lang: str) -> None:
    zh = lang == "zh"
    try:
        loaded, project_loaded = load_scheme(scheme), load_scheme(project_scheme)
    except SchemeError as exc:
        raise DataError(str(exc)) from None
    if roster is not None:
        if out is not None or out_dir is None:
            raise click.UsageError("按名单生成时请用 --out-dir 指定输出目录，不要同时给出 OUT 文件" if zh else
                                   "with --roster give --out-dir, not an OUT file")
        try:
            departments = read_roster(roster)
        except RosterError as exc:
            raise DataError(exc.message(lang)) from None
        year = year or default_year()
        try:
            approved = read_targets(targets) if targets is not None else None
            with click.progressbar(length=len(departments), label="生成模板" if zh else "templates",
                                   show_pos=True) as bar:
                written = write_roster_templates(departments, out_dir, loaded, year, password, bar.update,
                                                 force=force, project_scheme=project_loaded, targets=approved)
        except TargetsError as exc:
            raise DataError(exc.message(lang)) from None
        kept = len(written.entries) - len(written.written)
        click.echo(f"已为 {len(written.written)} 个部门生成模板，保留已有 {kept} 份，清单见 {out_dir / MANIFEST_CSV}"
                   if zh else f"{len(written.written)} templates written, {kept} existing kept; "
                              f"manifest: {out_dir / MANIFEST_CSV}")
        return
    if targets is not None:
        raise click.UsageError("--targets 须与 --roster、--out-dir 一起使用（批复目标按部门编码预填）" if zh else
                               "--targets goes with --roster and --out-dir (targets are prefilled by department code)")
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
@click.option("--require-report", is_flag=True, help=_H["reconcile.require_report"])
@click.option("--targets", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=_H["reconcile.targets"])
@click.option("--jobs", type=click.IntRange(1, 256), default=1, show_default=True, help=_H["reconcile.jobs"])
@click.option("--timeout", type=click.FloatRange(0), default=DEFAULT_TIMEOUT, show_default=True,
              help=_H["reconcile.timeout"])
@LANG_OPTION
@click.option("--quiet", "-q", is_flag=True, help=_H["reconcile.quiet"])
@click.option("--verbose", "-v", is_flag=True, help=_H["reconcile.verbose"])
def reconcile(paths: tuple[Path, ...], scheme: str | None, json_path: Path | None, csv_path: Path | None,
              report_path: Path | None, annotate_dir: Path | None, roster: Path | None, manifest: Path | None,
              ledger_path: Path | None, no_ledger: bool, require_report: bool, targets: Path | None, jobs: int,
              timeout: float, lang: str, quiet: bool, verbose: bool) -> None:
    options = RoundOptions(paths, scheme, roster, manifest, ledger_path, no_ledger, json_path, csv_path, report_path,
                           annotate_dir, jobs, timeout, lang, require_report=require_report, targets=targets)

    progress = _Progress(lang) if not quiet else None
    try:
        outcome = run_round(options, on_result=progress, on_stage=progress.stage if progress else None)
    except RoundError as exc:
        raise DataError(exc.message(lang)) from None
    except KeyboardInterrupt:
        if progress is not None:
            progress.done()
        click.echo(_interrupted(lang, None if no_ledger else (ledger_path or ledger.default_path()),
                                progress.count if progress is not None else None), err=True)
        sys.exit(EXIT_INTERRUPTED)
    if progress is not None:
        progress.done()
    if not quiet:
        click.echo(format_files(outcome.current, lang, verbose), nl=False)
    click.echo(format_superseded(outcome.superseded, lang), nl=False)
    for path, message in outcome.annotate_errors:
        click.echo(f"未生成批注副本 {path}：{message}" if lang == "zh" else
                   f"no annotated copy of {path}: {message}", err=True)
    if outcome.departments is not None:
        if outcome.manifest is None:
            click.echo("未找到模板清单 manifest.json：仅按表内部门名称匹配名单" if lang == "zh" else
                       "no manifest.json found: matched to the roster by department name only")
        click.echo(format_collection(outcome.rows, lang), nl=False)
    click.echo(format_documents(outcome.rows, lang), nl=False)
    if annotate_dir is not None:
        removed = f"，删除不再适用的旧副本 {len(outcome.removed_copies)} 份" if outcome.removed_copies else ""
        click.echo(f"已生成 {len(outcome.annotated)} 份批注副本{removed}：{annotate_dir}" if lang == "zh" else
                   f"{len(outcome.annotated)} annotated copies in {annotate_dir}"
                   + (f" ({len(outcome.removed_copies)} earlier copies removed)" if outcome.removed_copies else ""))
        click.echo(format_no_copies(outcome.current, lang), nl=False)
    if outcome.reused:
        click.echo(f"（{outcome.reused} 个文件内容未变，沿用台账中的审核结果）" if lang == "zh" else
                   f"({outcome.reused} files unchanged since they were checked: results taken from the ledger)")
    click.echo(format_summary(outcome.summary, lang))
    sys.exit(EXIT_FINDINGS if outcome.has_errors else EXIT_OK)


def _interrupted(lang: str, ledger_path: Path | None, finished: int | None) -> str:
    """The one line Ctrl-C leaves: what was kept, true to how the round ran."""
    count = "" if finished is None else (f" {finished} 个" if lang == "zh" else f" {finished}")
    if lang == "en":
        kept = (f"the{count} finished files are in the ledger {ledger_path}" if ledger_path is not None
                else "nothing was recorded (--no-ledger)")
        return f"interrupted: {kept}; no output was left half-written"
    kept = f"已完成的{count}文件已记入台账 {ledger_path}" if ledger_path is not None else "未记录台账（--no-ledger）"
    return f"已中断：{kept}，未写出任何不完整的结果文件"


class _Progress:
    """'已审核 120/1500 …' on a terminal while the round goes on; nothing when output is redirected."""

    def __init__(self, lang: str):
        self.lang = lang
        self.count = 0
        self.total = 0
        self.started = time.monotonic()
        self.live = sys.stderr.isatty()
        self.shown = False

    def __call__(self, result: FileResult) -> None:
        self.count += 1
        rate = self.count / max(time.monotonic() - self.started, 1e-6)
        self._show(f"已审核 {self.count}/{self.total} 个文件（{rate:.0f} 个/秒）" if self.lang == "zh" else
                   f"{self.count}/{self.total} files checked ({rate:.0f}/s)")

    def stage(self, stage: str, done: int, total: int) -> None:
        if stage == "check":
            self.total = total
        elif stage == "annotate" and total:
            self._show(f"正在生成批注副本 {done}/{total}" if self.lang == "zh" else
                       f"writing annotated copies {done}/{total}")

    def _show(self, text: str) -> None:
        if self.live:
            click.echo("\r" + text + " " * 8, nl=False, err=True)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 60 + "\r", nl=False, err=True)


@main.command(help=_H["status"])
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=_H["status.ledger"])
@LANG_OPTION
def status(ledger_path: Path | None, lang: str) -> None:
    ledger_path = ledger_path or ledger.default_path()
    try:
        rows = ledger.status(ledger_path)
    except FileNotFoundError:
        raise DataError(f"找不到台账文件 {ledger_path}（先运行 perfxl reconcile … --roster）" if lang == "zh"
                               else f"no ledger at {ledger_path} (run perfxl reconcile … --roster first)") from None
    click.echo(format_status(rows, lang), nl=False)


def _serve_help(key: str) -> str:
    from perfxl.web.texts import text

    return text(help_language(), key)


@main.command(help=_serve_help("cli_serve"))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help=_serve_help("cli_port"))
@click.option("--no-browser", is_flag=True, help=_serve_help("cli_no_browser"))
@LANG_OPTION
def serve(port: int, no_browser: bool, lang: str) -> None:
    from perfxl.web import WebError
    from perfxl.web import serve as serve_page

    try:
        serve_page(port, open_browser=not no_browser, lang=lang)
    except WebError as exc:
        raise DataError(str(exc)) from None


def run() -> None:
    """The ``perfxl`` program: a console that cannot show a character (a GBK terminal on Windows,
    a department name beyond GBK) gets a replacement mark, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
    main()


if __name__ == "__main__":  # pragma: no cover
    run()
