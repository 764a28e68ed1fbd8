"""A collection round as one library function: inputs in, every output written, a result back.

The ``reconcile`` command and the web page both call :func:`run_round`; neither knows how a round
is put together. Problems with what was asked (a bad roster, an output inside the inputs) raise
:class:`RoundError` before any file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from perfxl.collection import ledger, matching
from perfxl.collection.runner import DEFAULT_TIMEOUT
from perfxl.model import DepartmentRow, FileResult
from perfxl.outputs.files import Run, Summary
from perfxl.reconcile import SchemeOption, discover, reconcile_files
from perfxl.scheme import SchemeError, load_scheme
from perfxl.template.roster import MANIFEST_JSON, Department, RosterError, read_roster


class RoundError(Exception):
    """What was asked cannot be done; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class RoundOptions:
    """Everything a round can be asked for; only ``inputs`` is required."""

    inputs: Sequence[str | Path]
    scheme: str | None = None  # a shipped scheme name or a scheme file; None: each file's own
    roster: Path | None = None
    manifest: Path | None = None
    ledger: Path | None = None  # None: beside the first output file, when there is one
    no_ledger: bool = False
    json: Path | None = None
    csv: Path | None = None
    report: Path | None = None
    annotate: Path | None = None
    jobs: int = 1
    timeout: float | None = DEFAULT_TIMEOUT  # None or 0: in-process, no isolation
    lang: str = "zh"


@dataclass
class RoundResult:
    summary: Summary
    rows: list[DepartmentRow]
    departments: list[Department] | None
    ledger: Path | None
    annotated: set[Path] = field(default_factory=set)
    annotate_errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)

    @property
    def has_errors(self) -> bool:
        return self.summary.has_errors


def run_round(options: RoundOptions, on_result: Callable[[FileResult], None] | None = None) -> RoundResult:
    """Reconcile the inputs and write every output asked for; ``on_result`` sees each file as it is done."""
    scheme = _scheme(options)
    departments = _roster(options)
    manifest = options.manifest
    if departments is not None and manifest is None and options.roster is not None \
            and (options.roster.parent / MANIFEST_JSON).exists():
        manifest = options.roster.parent / MANIFEST_JSON
    ledger_path = _ledger_path(options)
    if options.annotate is not None:
        _refuse_inside_inputs(options.annotate, options.inputs)
    keep = departments is not None or options.report is not None or ledger_path is not None
    found = discover(options.inputs)
    run = Run((options.scheme and scheme.name) or "standard", options.json, options.csv, options.lang, found.skipped)
    kept: list[FileResult] = []
    round_result = RoundResult(run.summary, [], departments, ledger_path)
    try:
        for result in reconcile_files(found.files, scheme, jobs=options.jobs, timeout=options.timeout or None):
            run.add(result)
            if keep:
                kept.append(result)
            if options.annotate is not None:
                _annotate(result, options.annotate, options.lang, round_result)
            if on_result is not None:
                on_result(result)
    except BaseException:
        run.abort()
        raise
    run.close()
    round_result.rows = (matching.match(kept, departments, matching.load_manifest(manifest))
                         if departments is not None else matching.rows_without_roster(kept))
    if options.report is not None:
        from perfxl.outputs.workbook import write_report

        write_report(options.report, round_result.rows, options.lang)
    if ledger_path is not None:
        ledger.record(ledger_path, round_result.rows, departments)
    return round_result


def _scheme(options: RoundOptions) -> SchemeOption:
    if options.scheme is None:
        return None
    try:
        return load_scheme(options.scheme)
    except SchemeError as exc:
        raise RoundError(str(exc), str(exc)) from None


def _roster(options: RoundOptions) -> list[Department] | None:
    if options.roster is None:
        return None
    try:
        return read_roster(options.roster)
    except RosterError as exc:
        raise RoundError(str(exc), str(exc)) from None


def _ledger_path(options: RoundOptions) -> Path | None:
    if options.no_ledger:
        return None
    if options.ledger is not None:
        return options.ledger
    outputs = [p for p in (options.report, options.json, options.csv) if p is not None]
    return outputs[0].parent / ledger.DEFAULT_NAME if outputs else None


def _refuse_inside_inputs(annotate_dir: Path, inputs: Sequence[str | Path]) -> None:
    """Copies written among the submissions would be read as submissions next time: refuse."""
    target = annotate_dir.resolve()
    for raw in inputs:
        path = Path(raw)
        folder = path.resolve() if path.is_dir() else path.resolve().parent
        if target == folder or folder in target.parents:
            raise RoundError(f"--annotate 目录 {annotate_dir} 不能位于待审核的文件夹 {path} 之内，"
                             "否则批注副本下次会被当作提交文件审核",
                             f"--annotate folder {annotate_dir} must not lie inside the input {path}: "
                             "the copies would be read as submissions next time")


def _annotate(result: FileResult, annotate_dir: Path, lang: str, round_result: RoundResult) -> None:
    """One annotated copy; a file that cannot be annotated is reported and the round goes on."""
    from perfxl.outputs.annotate import AnnotateError, annotate

    try:
        annotate(result, annotate_dir, lang, written=round_result.annotated)
    except Exception as exc:  # AnnotateError, or openpyxl failing on it: never stop the round
        if not isinstance(exc, AnnotateError):
            exc = AnnotateError(f"{type(exc).__name__}: {exc}")
        round_result.annotate_errors.append((result.path, exc.message(lang)))
