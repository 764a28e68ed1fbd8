"""A department's documents compared with each other (CROSS_DOCUMENT_MISMATCH).

A department sends its scoring tables (one workbook, or one file per table) and a report whose
tables and text restate them. Each table states a few figures a reviewer compares first: the
total, the grade, the first-level scores, the budget figures and the execution rate
(:func:`table_facts`, kept with the file's result so that a re-run from the ledger has them). A
report's figures, in its tables or in its text, are compared with the same figures of the
department's workbook tables (:func:`cross_check`); agreeing documents give nothing.

Each figure is compared at the precision it was written with: scores within the scheme's
score tolerance, amounts and
rates as intervals of their written decimals (domain rules §4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from perfxl import codes
from perfxl.checking import TableCheck
from perfxl.checking.narrative import NOT_NAMED, about_the_whole, named_in
from perfxl.checking.recompute import grade_word
from perfxl.checking.tables import amount_places, rate_places
from perfxl.model import Claim, Fact, FileResult, Finding, TableResult
from perfxl.numbers import normalise_text
from perfxl.scheme import Scheme, load_scheme

#: Fact keys of amounts (compared as intervals of their written decimals).
AMOUNT_KEYS = ("initial", "budget", "executed")
#: How a message names each figure (a place key of perfxl.codes.PLACES and its parameters).
_NAMES = {"total": ("total_score", {}), "grade": ("grade", {}), "budget_score": ("funds_score", {}),
          "initial": ("initial", {}), "budget": ("budget", {}), "executed": ("executed", {}), "rate": ("rate", {})}


def table_facts(check: TableCheck) -> list[Fact]:
    """The figures a table states, each where it states it (a recomputed one where it states none)."""
    table, result = check.table, check.result
    facts: list[Fact] = []
    total = table.total_score
    if total.number is not None:
        facts.append(Fact("total", total.number, table.sheet, total.cell))
    elif result.total is not None:
        facts.append(Fact("total", result.total, table.sheet, None))
    if table.grade.text:
        facts.append(Fact("grade", table.grade.text, table.sheet, table.grade.cell))
    for level in table.levels:
        if level.score.number is not None:
            facts.append(Fact("level:" + level.key, level.score.number, table.sheet, level.score.cell,
                              label=level.label))
        elif level.key in result.level_scores:
            facts.append(Fact("level:" + level.key, result.level_scores[level.key], table.sheet, level.weight.cell,
                              label=level.label))
    funds = table.funds
    score = funds.get("score")
    if score is not None and score.number is not None:
        facts.append(Fact("budget_score", score.number, table.sheet, score.cell))
    for key in AMOUNT_KEYS:
        amount = funds.get(key)
        if amount is not None and amount.number is not None:
            facts.append(Fact(key, amount.number, table.sheet, amount.cell, amount_places(amount)))
    rate = funds.get("rate")
    if rate is not None and rate.number is not None:
        facts.append(Fact("rate", rate.number, table.sheet, rate.cell, rate_places(rate)))
    return facts


def document_key(kind: str, title: str) -> tuple[str, str]:
    """Documents are the same when kind and project title are (titles compared as names are)."""
    return kind, title_key(title)


def title_key(title: str) -> str:
    return normalise_text(title or "").replace("（", "(").replace("）", ")").strip("　 ")


def current_tables(result: FileResult) -> list[tuple[int, TableResult]]:
    """The tables of a file that no newer file replaced."""
    gone = {document_key(entry["kind"], entry["title"]) for entry in result.replaced}
    return [(index, table) for index, table in enumerate(result.tables)
            if document_key(table.kind, table.title) not in gone]


def cross_check(files: Iterable[FileResult]) -> None:
    """Add CROSS_DOCUMENT_MISMATCH to each report of one department's current files whose figures
    differ from the department's workbook tables (the newest workbook holding each table wins)."""
    files = [f for f in files if f.status != "unreadable" and f.superseded_by is None]
    holders: dict[tuple[str, str], list[tuple[FileResult, TableResult]]] = {}
    for workbook in (f for f in files if not f.is_report):
        for _, table in current_tables(workbook):
            holders.setdefault(document_key(table.kind, table.title), []).append((workbook, table))
    # a table that two current files hold (a folder checked without a roster replaces nothing) is
    # no reference: which one the report restates is not guessed
    reference = {key: found[0] for key, found in holders.items() if len(found) == 1}
    if not reference:
        return
    for report in (f for f in files if f.is_report):
        found: list[Finding] = []
        for index, table in enumerate(report.tables):
            other = reference.get(document_key(table.kind, table.title))
            if other is not None:
                found += _compare(report, table.facts, other, index)
        for claim in report.claims:
            other = _claim_target(claim, reference)
            if other is not None:
                found += _compare(report, [claim], other, None)
        if found:
            report.findings += found
            report.finish()


def _claim_target(claim: Claim, reference: dict[tuple[str, str], tuple[FileResult, TableResult]]
                  ) -> tuple[FileResult, TableResult] | None:
    """The table a claim of the text is about: the project its paragraph, heading or title names
    (the nearest that names one), else the department's only overall table, else its only table."""
    projects = [key for key in reference if key[0] == "project" and key[1]]
    named = named_in(claim.context, [key[1] for key in projects])
    if named is None:
        return None  # several projects named, or one the department sent no table for: not guessed
    if named != NOT_NAMED:
        return reference[projects[named]]
    if len(reference) == 1:
        return next(iter(reference.values()))
    overall = [key for key in reference if key[0] == "overall"]
    return reference[overall[0]] if len(overall) == 1 and about_the_whole(claim.context[0]) else None


def _compare(report: FileResult, facts: list[Fact], other: tuple[FileResult, TableResult],
             table_index: int | None) -> list[Finding]:
    workbook, table = other
    theirs = {fact.key: fact for fact in table.facts}
    if len(theirs) < len(table.facts):
        return []  # a table stating one figure twice is no reference
    scheme = load_scheme(table.scheme if table.scheme in ("standard", "classic") else "standard")
    findings = []
    for fact in facts:
        their = theirs.get(fact.key)
        if their is None or _agree(fact, their, scheme):
            continue
        what = _NAMES.get(fact.key) or ("narr_part", {"label": _bare(fact.label or their.label)})
        findings.append(Finding(codes.CROSS_DOCUMENT_MISMATCH, fact.sheet, fact.cell, their.value, fact.value,
                                table_index=table_index,
                                params={"what": what, "here": _place(report.path, fact),
                                        "there": _place(workbook.path, their)}))
    return findings


def _agree(mine: Fact, theirs: Fact, scheme: Scheme) -> bool:
    if mine.key == "grade":
        return grade_word(str(mine.value), scheme) == grade_word(str(theirs.value), scheme)
    if not isinstance(mine.value, Decimal) or not isinstance(theirs.value, Decimal):
        return True  # nothing comparable
    if mine.key in AMOUNT_KEYS or mine.key == "rate":
        slack = sum((_half(places) for places in (mine.places, theirs.places)), Decimal("1e-9"))
        return abs(mine.value - theirs.value) <= slack
    return abs(mine.value - theirs.value) <= scheme.rules.score_tolerance


def _bare(label: str) -> str:
    """A first-level label without the weight it states: '效益指标（30分）' → '效益指标'."""
    return re.sub(r"[（(]\s*\d+(?:\.\d+)?\s*分?\s*[）)]", "", normalise_text(label)).strip() or label


def _half(places: int | None) -> Decimal:
    return Decimal(0) if places is None else Decimal("0.5").scaleb(-places)


def _place(path: str, fact: Fact) -> str:
    where = "!".join(part for part in (fact.sheet, fact.cell) if part)
    return f"{Path(path).name} {where}".strip()
