"""A collection round as one library function: inputs in, every output written, a result back.

The ``reconcile`` command and the web page both call :func:`run_round`; neither knows how a round
is put together. Problems with what was asked (a bad roster, an output inside the inputs) raise
:class:`RoundError` before any file is read.

The order of a round: every file is checked (or taken from the ledger when its content was checked
before) and recorded in the ledger as soon as it is; then submissions are matched to the roster and
the older submissions of a department marked as superseded; only then are the outputs written, so
that superseded files count nowhere: not in the exit code, the summary, the report's statistics or
the annotated copies. An interrupted round leaves the ledger with what it finished and no output
half-written.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from perfxl.collection import matching
from perfxl.collection.ledger import Ledger, default_path
from perfxl.collection.runner import DEFAULT_TIMEOUT, run_supervised
from perfxl.files import atomic_write_text, fingerprint, sha256_of
from perfxl.model import DepartmentRow, FileResult
from perfxl.outputs.display import apply_display_names
from perfxl.outputs.files import Run, Summary
from perfxl.reconcile import SchemeOption, discover, reconcile_files
from perfxl.scheme import Scheme, SchemeError, load_scheme
from perfxl.targets import Targets, TargetsError, read_targets
from perfxl.template.roster import MANIFEST_JSON, Department, RosterError, read_roster

#: The annotate folder's record of the copies perfxl wrote there (never delete anything else).
COPIES_RECORD = ".perfxl-copies.json"


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
    ledger: Path | None = None  # None: the default ledger (ledger.default_path())
    no_ledger: bool = False
    json: Path | None = None
    csv: Path | None = None
    report: Path | None = None
    annotate: Path | None = None
    jobs: int = 1
    timeout: float | None = DEFAULT_TIMEOUT  # None or 0: in-process, no isolation
    lang: str = "zh"
    require_report: bool = False  # a department that sends tables must send its report too
    #: stored path → the name to show for it in every output (the web page's uploads; outputs/display.py)
    display_names: dict[str, str] | None = None
    targets: Path | None = None  # approved targets (批复绩效目标): every table compared with its department's


@dataclass
class RoundResult:
    summary: Summary
    results: list[FileResult]  # every file, in order; superseded ones carry superseded_by
    rows: list[DepartmentRow]
    departments: list[Department] | None
    ledger: Path | None
    manifest: Path | None = None
    reused: int = 0  # results taken from the ledger (the file's content was checked before)
    annotated: set[Path] = field(default_factory=set)
    removed_copies: list[Path] = field(default_factory=list)  # earlier copies that no longer apply
    annotate_errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)

    @property
    def has_errors(self) -> bool:
        return self.summary.has_errors

    @property
    def current(self) -> list[FileResult]:
        return [result for result in self.results if result.superseded_by is None]

    @property
    def superseded(self) -> list[FileResult]:
        return [result for result in self.results if result.superseded_by is not None]


#: ``on_stage(stage, done, total)``: "check" once the files to check are known (done 0), then
#: "annotate" before the first annotated copy and after each one.
StageCallback = Callable[[str, int, int], None]


def run_round(options: RoundOptions, on_result: Callable[[FileResult], None] | None = None,
              on_stage: StageCallback | None = None) -> RoundResult:
    """Reconcile the inputs and write every output asked for; ``on_result`` sees each file as it is
    done, ``on_stage`` how much there is to do (for progress shown with a total)."""
    scheme = _scheme(options)
    departments = _roster(options)
    targets = _targets(options)
    _guard_outputs(options)
    found = discover(options.inputs)
    ledger_path = None if options.no_ledger else (options.ledger or default_path())
    ledger = Ledger(ledger_path) if ledger_path is not None else None
    try:
        manifest = _manifest(options, ledger) if departments is not None else None
        if ledger is not None:
            ledger.start_round(options.roster, manifest)
        outcome = RoundResult(Summary(), [], [], departments, ledger_path, manifest)
        if on_stage is not None:
            on_stage("check", 0, len(found.files))
        for result in _checked(found.files, scheme, options, ledger, outcome):
            outcome.results.append(result)
            if on_result is not None:
                on_result(result)
        outcome.rows = (matching.match(outcome.results, departments, matching.load_manifest(manifest),
                                       require_report=options.require_report, targets=targets)
                        if departments is not None else matching.rows_without_roster(outcome.results, targets=targets))
        sources = apply_display_names(outcome.results, outcome.rows, found.skipped, options.display_names or {})
        _write_outputs(options, outcome, found.skipped, scheme, on_stage, sources)
        if ledger is not None:
            ledger.record(outcome.rows, departments)
    finally:
        if ledger is not None:
            ledger.close()
    return outcome


def _checked(files: list[Path], scheme: SchemeOption, options: RoundOptions, ledger: Ledger | None,
             outcome: RoundResult) -> Iterator[FileResult]:
    """Each file's result in order: from the ledger when this content was checked before, else fresh."""
    keys: dict[int, str] = {}
    cached: dict[int, FileResult] = {}
    if ledger is not None:
        for index, path in enumerate(files):
            try:
                sha256, kind = fingerprint(path)
            except OSError:
                continue
            keys[index] = cache_key(path, kind, scheme)
            result = ledger.cached(sha256, keys[index])
            if result is not None:
                result.path, result.superseded_by = str(path), None
                cached[index] = result
    fresh = reconcile_files([p for i, p in enumerate(files) if i not in cached], scheme, jobs=options.jobs,
                            timeout=options.timeout or None)
    try:
        for index in range(len(files)):
            if index in cached:
                outcome.reused += 1
                yield cached[index]
                continue
            result = next(fresh)
            if ledger is not None and index in keys:
                ledger.remember(result, keys[index])
            yield result
    finally:
        if ledger is not None:
            ledger.flush()
        fresh.close()


def _write_outputs(options: RoundOptions, outcome: RoundResult, skipped: list, scheme: SchemeOption,
                   on_stage: StageCallback | None = None, sources: dict[str, str] | None = None) -> None:
    run = Run((options.scheme and scheme.name) or "standard", options.json, options.csv, options.lang, skipped)
    try:
        for result in outcome.results:
            run.add(result)
    except BaseException:
        run.abort()
        raise
    run.close(outcome.rows, with_roster=outcome.departments is not None)
    outcome.summary = run.summary
    if options.report is not None:
        from perfxl.outputs.workbook import write_report

        write_report(options.report, outcome.rows, options.lang)
    if options.annotate is not None:
        _annotate_all(outcome, options.annotate, options.lang, options.jobs, on_stage, sources or {})


def cache_key(path: Path, content_kind: str, scheme: SchemeOption) -> str:
    """What besides a file's bytes decides its result: its name's suffix (an .xlsm is refused, an
    .et is reported as such), what its content is, and a scheme forced on every file. (The ledger
    adds the fingerprint of perfxl's own code.)"""
    parts = [path.suffix.lower() or "-", content_kind]
    if isinstance(scheme, Scheme):
        parts.append("scheme:" + hashlib.sha256(scheme.source.encode("utf-8")).hexdigest()[:16])
    return "|".join(parts)


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
        raise RoundError(exc.message("zh", "review"), exc.message("en", "review")) from None


def _targets(options: RoundOptions) -> Targets | None:
    """The approved targets, read (and every row checked) before any file is."""
    if options.targets is None:
        return None
    try:
        return read_targets(options.targets)
    except TargetsError as exc:
        raise RoundError(exc.message("zh"), exc.message("en")) from None


def _manifest(options: RoundOptions, ledger: Ledger | None) -> Path | None:
    """The templates' manifest: as given, beside the roster, among the inputs' parent folders'
    template folders, or the one this ledger's last round used."""
    if options.manifest is not None:
        return options.manifest
    candidates = [options.roster.parent / MANIFEST_JSON] if options.roster is not None else []
    for raw in options.inputs:  # the templates' folder beside the inbox ('模板/' next to '收回/')
        base = Path(raw).resolve()
        folder = base if base.is_dir() else base.parent
        try:
            siblings = sorted(folder.parent.iterdir())[:200]
        except OSError:
            siblings = []
        candidates += [sibling / MANIFEST_JSON for sibling in siblings if sibling.is_dir()]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return ledger.last_manifest() if ledger is not None else None


def _guard_outputs(options: RoundOptions) -> None:
    """No output inside a folder given as input: it would be read as a submission next time."""
    if options.report is not None and options.report.suffix.lower() != ".xlsx":
        options.report = options.report.with_name(options.report.name + ".xlsx")
    folders = [Path(raw).resolve() for raw in options.inputs if Path(raw).is_dir()]
    for flag, output in (("--json", options.json), ("--csv", options.csv), ("--report", options.report),
                         ("--annotate", options.annotate), ("--ledger", options.ledger)):
        if output is None:
            continue
        target = output.resolve()
        for folder in folders:
            if target == folder or folder in target.parents:
                raise RoundError(f"{flag} {output} 位于待审核的文件夹 {folder} 之内，下次审核时会被当作提交文件；"
                                 "请放到别处", f"{flag} {output} lies inside the input folder {folder}: it would be "
                                 "read as a submission next time; put it elsewhere")


def _annotate_all(outcome: RoundResult, annotate_dir: Path, lang: str, jobs: int = 1,
                  on_stage: StageCallback | None = None, sources: dict[str, str] | None = None) -> None:
    """Copies of the current submissions with findings (workbooks and Word reports: a PDF cannot be
    annotated), made in the supervised workers when there are several; copies perfxl wrote earlier
    that no longer apply are removed (a file perfxl did not
    write is never touched)."""
    from perfxl.outputs.annotate import free_name

    earlier = _copies_record(annotate_dir)
    reserved: set[Path] = set()
    work = []
    for result in outcome.current:
        if result.status != "unreadable" and result.findings and result.format != "pdf":  # a PDF: the report only
            target = free_name(annotate_dir, Path(result.path).name, reserved)  # names chosen here, in order
            reserved.add(target)
            work.append((result, target, (sources or {}).get(result.path)))
    task = functools.partial(make_copy, lang=lang)
    failed = functools.partial(_copy_failed, lang=lang)
    made = (run_supervised(task, work, failed, jobs=jobs, timeout=DEFAULT_TIMEOUT) if jobs > 1 and len(work) > 1
            else map(task, work))
    if on_stage is not None:
        on_stage("annotate", 0, len(work))
    for done, ((result, target, _), error) in enumerate(zip(work, made, strict=True), start=1):
        if on_stage is not None:
            on_stage("annotate", done, len(work))
        if error is None:
            outcome.annotated.add(target)
        else:
            outcome.annotate_errors.append((result.path, error))
    for name, digest in earlier.items():
        stale = annotate_dir / name
        if stale not in outcome.annotated and stale.is_file() and sha256_of(stale) == digest:
            stale.unlink()
            outcome.removed_copies.append(stale)
    if outcome.annotated or earlier:
        annotate_dir.mkdir(parents=True, exist_ok=True)
        record = {path.name: sha256_of(path) for path in sorted(outcome.annotated)}
        atomic_write_text(annotate_dir / COPIES_RECORD, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def make_copy(item: tuple[FileResult, Path, str | None], lang: str = "zh") -> str | None:
    """One annotated copy at its chosen place (read from the stored path, if the result shows another
    name); the reason when it cannot be made (never raises)."""
    from perfxl.outputs.annotate import AnnotateError, annotate
    from perfxl.outputs.annotate_docx import annotate_report

    result, target, stored = item
    source = Path(stored) if stored else None
    try:
        if result.format == "docx":
            annotate_report(result, target.parent, lang, target=target, source=source)
        else:
            annotate(result, target.parent, lang, target=target, source=source)
    except Exception as exc:  # AnnotateError, or openpyxl failing on it: never stop the round
        return (exc if isinstance(exc, AnnotateError) else AnnotateError(f"{type(exc).__name__}: {exc}")).message(lang)
    return None


def _copy_failed(item: tuple[FileResult, Path, str | None], reason: str, lang: str = "zh", **params: object) -> str:
    """Why a copy's worker gave up on it (it hung, crashed or ran out of memory)."""
    from perfxl.codes import reason_text

    return reason_text(reason, lang, **{"timeout": "", "signal": "", "memory_mb": "", **params})


def _copies_record(annotate_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((annotate_dir / COPIES_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(name): str(digest) for name, digest in data.items()} if isinstance(data, dict) else {}
