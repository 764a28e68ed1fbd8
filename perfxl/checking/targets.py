"""A table's indicators against the targets the bureau approved (``--targets``).

Only the round knows which department a file belongs to (by the template's id in the manifest, the
roster's name or the department the table names), so each table's indicators are kept with the
file's result (:func:`table_indicators`) and compared after matching (:func:`apply_targets`).

Indicators are matched by their normalised name within their 一级/二级 group; one left over is then
matched by name anywhere in the table (a group spelt differently), and the message says which. A
matched indicator whose 指标值 or 分值 differs is TARGET_CHANGED (both shown), an approved one not
found INDICATOR_MISSING, one the table adds INDICATOR_ADDED.
"""

from __future__ import annotations

from decimal import Decimal

from perfxl import codes
from perfxl.checking.cross import current_tables
from perfxl.model import (
    KIND_BASE_DATA,
    KIND_OVERALL,
    FileResult,
    Finding,
    IndicatorEntry,
    ScoreTable,
    TableResult,
)
from perfxl.targets import ApprovedIndicator, TargetValue, group_key, name_key, target_value, title_key

#: What a clerk writes in an unused indicator row: no indicator.
UNUSED = {"", "无", "/", "-", "—"}


def table_indicators(table: ScoreTable) -> list[IndicatorEntry]:
    """The named indicators of a table, as the approved targets are compared with them."""
    labels = {level.key: level.label for level in table.levels} | table.level_labels
    entries = []
    for indicator in table.indicators:
        if name_key(indicator.name.text) in UNUSED:
            continue
        target = indicator.target
        entries.append(IndicatorEntry(
            labels.get(indicator.level, indicator.level), indicator.group, indicator.name.text, indicator.op.text,
            target.text, target.value if isinstance(target.value, Decimal) else None, indicator.unit.text,
            indicator.weight.number, indicator.weight.text, table.sheet, indicator.name.cell, target.cell,
            indicator.weight.cell))
    return entries


def value_of(entry: IndicatorEntry) -> TargetValue:
    return target_value(entry.target, entry.unit, entry.op, entry.target_number)


def check_targets(table: TableResult, approved: list[ApprovedIndicator]) -> list[Finding]:
    """Findings of one table against the indicators approved for it (its department's, for its
    project or, for an overall table, those without a project)."""
    unmatched = list(table.indicators)
    pairs: list[tuple[ApprovedIndicator, IndicatorEntry, tuple]] = []
    left: list[ApprovedIndicator] = []
    for indicator in approved:
        key = (group_key(indicator.level1), group_key(indicator.level2), name_key(indicator.name))
        entry = next((e for e in unmatched if (group_key(e.level), group_key(e.group), name_key(e.name)) == key), None)
        if entry is None:
            left.append(indicator)
            continue
        unmatched.remove(entry)
        pairs.append((indicator, entry, ("matched_in_group", {"name": indicator.name, "group": indicator.group})))
    missing = []
    for indicator in left:  # groups spelt differently: the name alone, anywhere in the table
        entry = next((e for e in unmatched if name_key(e.name) == name_key(indicator.name)), None)
        if entry is None:
            missing.append(indicator)
            continue
        unmatched.remove(entry)
        pairs.append((indicator, entry, ("matched_by_name", {"name": indicator.name, "approved": indicator.group,
                                                             "found": f"{entry.level}/{entry.group}"})))
    findings = []
    for indicator, entry, matched in sorted(pairs, key=lambda pair: pair[0].row):
        findings += _compare(indicator, entry, matched)
    for indicator in missing:
        findings.append(Finding(codes.INDICATOR_MISSING, table.sheet, _group_cell(table, indicator),
                                indicator.value.shown(), None,
                                params={"name": indicator.name, "group": indicator.group}))
    for entry in unmatched:
        findings.append(Finding(codes.INDICATOR_ADDED, entry.sheet, entry.name_cell, None, entry.name,
                                params={"name": entry.name, "group": f"{entry.level}/{entry.group}"}))
    return findings


def _compare(indicator: ApprovedIndicator, entry: IndicatorEntry, matched: tuple) -> list[Finding]:
    findings = []
    approved, found = indicator.value, value_of(entry)
    if not approved.same_as(found):
        findings.append(Finding(codes.TARGET_CHANGED, entry.sheet, entry.target_cell, approved.shown(),
                                found.shown() or None,
                                params={"name": indicator.name, "what": ("approved_target", {}), "matched": matched}))
    if entry.weight is None or entry.weight != indicator.weight:
        findings.append(Finding(codes.TARGET_CHANGED, entry.sheet, entry.weight_cell, indicator.weight,
                                entry.weight if entry.weight is not None else (entry.weight_text or None),
                                params={"name": indicator.name, "what": ("approved_weight", {}), "matched": matched}))
    return findings


def _group_cell(table: TableResult, indicator: ApprovedIndicator) -> str | None:
    """Where a missing indicator belongs: the first indicator of its group, else of its first
    level, else nowhere in particular (the table)."""
    level, group = group_key(indicator.level1), group_key(indicator.level2)
    for wanted in ((level, group), (level, None)):
        for entry in table.indicators:
            if group_key(entry.level) == wanted[0] and (wanted[1] is None or group_key(entry.group) == wanted[1]):
                return entry.name_cell
    return None


def approved_for(table: TableResult, approved: list[ApprovedIndicator]) -> list[ApprovedIndicator]:
    """The approved indicators a table answers for: its project's, or the department's overall ones."""
    if table.kind == KIND_OVERALL:
        return [i for i in approved if not i.project]
    return [i for i in approved if i.project and title_key(i.project) == title_key(table.title)]


def apply_targets(files: list[FileResult], approved: list[ApprovedIndicator]) -> None:
    """Add the targets findings to every current table of one department's current files
    (workbooks and reports alike); a table returned blank, or with no approved targets, is left alone."""
    if not approved:
        return
    for result in files:
        if result.status == "unreadable" or result.superseded_by is not None:
            continue
        added = []
        for index, table in current_tables(result):
            wanted = approved_for(table, approved)
            if table.kind == KIND_BASE_DATA or table.blank or not wanted:
                continue
            for finding in check_targets(table, wanted):
                finding.table = table.name if len(result.tables) > 1 else ""
                finding.table_index = index
                added.append(finding)
        if added:
            result.findings += added
            result.finish()
