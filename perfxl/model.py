"""Plain data for what reconciliation reads and finds. No I/O here."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from perfxl import codes
from perfxl.numbers import normalise_text, parse_number

LAYOUT_TEMPLATE = "perfxl-template"
LAYOUT_STANDARD = "standard-form"
LAYOUT_BASE_DATA = "base-data-form"
LAYOUT_WORD = "word-report"
LAYOUT_PDF = "pdf-report"  # a report printed to PDF: located by page (页N表M, 页N) rather than 表N / 正文

#: Custom property of an annotated copy naming perfxl's own review sheet (审核意见): never data.
REVIEW_SHEET_PROPERTY = "perfxl_review_sheet"

#: Kinds of table (contract: files[].tables[].kind).
KIND_OVERALL = "overall"  # 部门整体支出绩效自评表
KIND_PROJECT = "project"  # 项目支出绩效自评表; its title is the project's name
KIND_BASE_DATA = "base-data"  # 基础数据表 (附件2, seed 001's form)
KIND_REPORT = "report"  # a self-evaluation report (.docx, .pdf) as one document, its tables part of it

#: Formats read as reports: one document each, whose tables belong to it.
REPORT_FORMATS = frozenset({"docx", "pdf"})

Scalar = Decimal | str | bool | None


@dataclass
class Finding:
    """One problem at one place. ``variant`` picks the message wording; ``params`` fill it in."""

    code: str
    sheet: str | None = None
    cell: str | None = None
    expected: Scalar = None
    found: Scalar = None
    variant: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    table: str = ""  # which table of the file it belongs to, when the file has several
    table_index: int | None = None  # index into FileResult.tables; None: the file as a whole, a report's text

    @property
    def severity(self) -> str:
        return codes.severity(self.code)


@dataclass
class Field:
    """A value read from a cell. ``number`` is set when the value is (or reads as) a number.

    ``derived`` marks a formula cell whose value perfxl computed itself because the file carried
    none: such a value is never compared against the recomputation.
    """

    cell: str | None = None
    value: Scalar = None
    number: Decimal | None = None
    text: str = ""
    formula: str | None = None
    derived: bool = False
    shown_places: int | None = None  # decimals the cell shows, as a fraction (a '0.00%' cell: 4), if known

    @property
    def is_blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and self.text == "")

    def assign(self, value: Scalar) -> None:
        """Take a cell's shown value: numbers as they are, text read as a number where it is one."""
        self.value = value
        if isinstance(value, Decimal):
            self.number = value
            self.text = format(value, "f")
        elif isinstance(value, bool) or value is None:
            self.number = None
            self.text = "" if value is None else str(value).upper()
        else:
            self.text = str(value).strip()
            self.number = parse_number(self.text) if self.text else None
            if self.number is None and self.text and normalise_text(self.text) == "":
                self.text = ""


@dataclass
class Indicator:
    level: str  # the level's key in the scheme
    group: str
    direction: str  # the group's default: 'higher' or 'lower'
    name: Field
    op: Field
    target: Field
    unit: Field
    actual: Field
    weight: Field
    score: Field
    reason: Field

    @property
    def label(self) -> str:
        return self.name.text or self.group


@dataclass
class LevelTotals:
    """What the table declares for one first-level indicator."""

    key: str
    label: str
    weight: Field = field(default_factory=Field)  # the weight its label states (a template: its 小计 分值)
    score: Field = field(default_factory=Field)  # declared subtotal of scores, if the table has one
    subtotal_weight: Field = field(default_factory=Field)  # a form's 小计 row 分值, if it has one


@dataclass
class AmountSum:
    """A figure that must equal the sum of its parts (收入合计, 基本支出 = 人员经费 + 公用经费, …)."""

    label: str
    total: Field
    parts: list[Field]
    sheet: str | None = None


@dataclass
class AmountRatio:
    """A ratio that must equal numerator / denominator (控制率 = 实际在职人数 / 编制数, …)."""

    label: str
    declared: Field
    numerator: Field
    denominator: Field
    sheet: str | None = None


@dataclass
class ScoreTable:
    """A scoring table as read from one sheet, whatever its layout."""

    sheet: str
    layout: str
    department: str = ""
    year: int | None = None
    kind: str = KIND_OVERALL
    title: str = ""  # the project's name for a project table
    level_labels: dict[str, str] = field(default_factory=dict)  # level key → the label as the table writes it
    record: Any = None  # a template's record of itself (reading.template.TemplateRecord), else None
    funds: dict[str, Field] = field(default_factory=dict)  # initial, budget, executed, weight, rate, score
    indicators: list[Indicator] = field(default_factory=list)
    levels: list[LevelTotals] = field(default_factory=list)
    total_weight: Field = field(default_factory=Field)
    total_score: Field = field(default_factory=Field)
    grade: Field = field(default_factory=Field)
    sums: list[AmountSum] = field(default_factory=list)
    ratios: list[AmountRatio] = field(default_factory=list)


@dataclass
class Fact:
    """A figure a document states, where it states it: what cross-document checks compare.

    ``key`` is ``total``, ``grade``, ``level:<key>`` (a first-level score), ``budget_score``,
    ``initial``, ``budget``, ``executed`` or ``rate``. ``places`` is the precision the figure was
    written with (decimals of the number as shown; for a rate, of the fraction), when known.
    """

    key: str
    value: Decimal | str
    sheet: str | None = None
    cell: str | None = None
    places: int | None = None
    label: str = ""  # how the document names it (a first-level label, say)


@dataclass
class Claim(Fact):
    """A figure a report's text states that no table of the report stands for: compared, in a
    round, with the department's workbook tables. ``context`` is the text that may name the
    project it is about (the paragraph and the heading above it)."""

    context: str = ""


@dataclass
class IndicatorEntry:
    """An indicator as a table states it, kept with the file's result (so a re-run from the ledger
    has it): what the approved targets are compared with after the round knows the department."""

    level: str  # the 一级指标 label as the table writes it
    group: str  # the 二级指标 label
    name: str
    op: str
    target: str  # the 年度指标值 as text
    target_number: Decimal | None  # the cell's number, when it holds one (a template's 95% is 0.95)
    unit: str
    weight: Decimal | None
    weight_text: str
    sheet: str
    name_cell: str | None = None
    target_cell: str | None = None
    weight_cell: str | None = None


@dataclass
class TableResult:
    """One table of a file as checked (contract: ``files[].tables[]``)."""

    sheet: str
    kind: str
    title: str
    scheme: str
    declared_total: Decimal | None = None
    computed_total: Decimal | None = None
    declared_grade: str | None = None
    computed_grade: str | None = None
    facts: list[Fact] = field(default_factory=list)
    indicators: list[IndicatorEntry] = field(default_factory=list)
    blank: bool = False  # a template returned with nothing typed in

    @property
    def name(self) -> str:
        """How messages name the table: its title, else its sheet."""
        return self.title or self.sheet


@dataclass
class FileResult:
    """Everything reconcile says about one file."""

    path: str
    sha256: str = ""
    status: str = "clean"
    department: str = ""
    year: int | None = None
    layout: str | None = None
    scheme: str | None = None
    declared_total: Decimal | None = None
    computed_total: Decimal | None = None
    declared_grade: str | None = None
    computed_grade: str | None = None
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    level_scores: dict[str, Decimal] = field(default_factory=dict)  # 一级指标 label → recomputed score
    budget_score: Decimal | None = None  # 预算执行得分 as recomputed
    template_id: str | None = None  # for perfxl templates: the id stamped into the file
    format: str | None = None  # xlsx, xls, et, ods, docx
    tables: list[TableResult] = field(default_factory=list)
    superseded_by: str | None = None  # path of the newer submission of the same department
    notes: list[str] = field(default_factory=list)  # keys of codes.NOTES: what was not checked, and why
    saved_at: str | None = None  # when its spreadsheet program last saved it (docProps/core.xml), ISO
    funds: dict[str, list] = field(default_factory=dict)  # key → [sheet, cell, number] of the lead table's amounts
    claims: list[Claim] = field(default_factory=list)  # a report's stated figures that no table of its own backs
    replaced: list[dict] = field(default_factory=list)  # documents a newer file replaced: {"kind", "title", "by"}
    replaced_findings: list[Finding] = field(default_factory=list)  # their findings, counted nowhere

    def documents(self) -> list[dict[str, str]]:
        """What the file holds as documents of its department (contract: "A department's documents"):
        a report is one document whatever its tables; a workbook one per table."""
        if self.format in REPORT_FORMATS:
            return [{"kind": KIND_REPORT, "title": ""}] if self.status != "unreadable" else []
        return [{"kind": table.kind, "title": table.title} for table in self.tables]

    @property
    def is_report(self) -> bool:
        return self.format in REPORT_FORMATS

    def finish(self) -> FileResult:
        """Set ``status`` from the findings."""
        if any(f.code == codes.UNREADABLE_FILE for f in self.findings):
            self.status = "unreadable"
        elif any(f.severity == "error" for f in self.findings):
            self.status = "errors"
        elif self.findings:
            self.status = "warnings"
        else:
            self.status = "clean"
        return self

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_record(self) -> str:
        """The whole result as JSON text (the ledger keeps it, so an unchanged file is not read again)."""
        return json.dumps(_tag(asdict(self)), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_record(cls, text: str) -> FileResult:
        data = json.loads(text, object_hook=_decode)
        data["findings"] = [Finding(**f) for f in data.get("findings", [])]
        data["replaced_findings"] = [Finding(**f) for f in data.get("replaced_findings", [])]
        data["tables"] = [TableResult(**{**t, "facts": [Fact(**fact) for fact in t.get("facts", [])],
                                         "indicators": [IndicatorEntry(**i) for i in t.get("indicators", [])]})
                          for t in data.get("tables", [])]
        data["claims"] = [Claim(**claim) for claim in data.get("claims", [])]
        return cls(**data)


def _tag(value: Any) -> Any:
    """JSON keeps no Decimal and no tuple: tag them so that a recorded result reads back equal."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, tuple):
        return {"$tuple": [_tag(item) for item in value]}
    if isinstance(value, list):
        return [_tag(item) for item in value]
    if isinstance(value, dict):
        return {key: _tag(item) for key, item in value.items()}
    return value


def _decode(data: dict[str, Any]) -> Any:
    if set(data) == {"$decimal"}:
        return Decimal(data["$decimal"])
    if set(data) == {"$tuple"}:
        return tuple(data["$tuple"])
    return data


@dataclass
class DocumentEntry:
    """One document a department sent: a table of a workbook, or a report."""

    kind: str
    title: str
    path: str
    sheet: str | None = None  # the table's sheet in a workbook; None for a report
    status: str = "clean"  # of the findings about this document
    replaced_by: str | None = None  # the newer file holding the same document


@dataclass
class MissingDocument:
    """A document a department was expected to send and did not.

    ``reason``: ``project_not_sent`` (a roster project with no table), ``no_scoring_table`` (a report
    and no table anywhere), ``no_report`` (tables and no report, where the bureau asks for both).
    """

    kind: str
    title: str
    reason: str


@dataclass
class DepartmentRow:
    """One department in a collection round: what it sent, if anything.

    ``files`` are its current files (none replaced as a whole); ``result`` is the lead one (the file
    holding its overall table, else the newest); ``superseded`` the files every document of which a
    newer file replaced. ``status`` is ``not_submitted`` or the worst status of its current files.
    Files that match no department get a row with ``code`` None.
    """

    code: str | None
    name: str
    status: str
    result: FileResult | None = None
    superseded: list[FileResult] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    missing: list[MissingDocument] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.result is not None and not self.files:
            self.files = [self.result]  # a row made by hand for one file (tests, callers of the old shape)
