"""The names files are shown by, when they are stored under other names (the web page's uploads).

The web page keeps each upload as ``0003.xlsx`` in a private folder; the clerk knows it as
``收回/芦淞区委宣传部_2024_自评表.xlsx``. A round is checked and matched under the stored names (they
are unique and on disk), then :func:`apply_display_names` puts the clerk's names into everything the
outputs are written from: each file's path, what replaced it, the documents and rows of the round,
the skipped files, and the messages that name a file (a cross-document finding names both places).
No output (JSON, CSV, report, annotated copies and their 审核意见 sheet, Word copies, the ledger)
then shows a stored name; annotating reads the bytes from the stored path it is given back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from perfxl.model import DepartmentRow, FileResult, Finding


def apply_display_names(results: list[FileResult], rows: list[DepartmentRow], skipped: list[tuple[Path, str]],
                        names: Mapping[str, str]) -> dict[str, str]:
    """Rename in place (stored path → name shown); returns name shown → stored path, for reading the
    files again. Nothing happens without names."""
    if not names:
        return {}
    rename = _Renamer(names)
    for result in results:
        rename.result(result)
    for row in rows:
        for entry in row.documents:
            entry.path = rename.path(entry.path)
            entry.replaced_by = rename.path(entry.replaced_by)
        if row.code is None and row.name in rename.bases:  # a row named after its file (no department)
            row.name = rename.bases[row.name]
    skipped[:] = [(Path(rename.path(str(path))), reason) for path, reason in skipped]
    return {shown: stored for stored, shown in names.items()}


class _Renamer:
    def __init__(self, names: Mapping[str, str]):
        self.names = dict(names)
        self.bases = {Path(stored).name: PurePosixPath(shown).name for stored, shown in names.items()}
        ordered = sorted(self.bases, key=len, reverse=True)  # '0012.xlsx' before '012.xlsx'
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def path(self, value: str | None) -> str | None:
        return self.names.get(value, value) if value else value

    def text(self, value: str) -> str:
        return self.pattern.sub(lambda match: self.bases[match.group(0)], value) if self.pattern else value

    def result(self, result: FileResult) -> None:
        result.path = self.path(result.path) or result.path
        result.superseded_by = self.path(result.superseded_by)
        for entry in result.replaced:
            entry["by"] = self.path(entry.get("by"))
        for finding in (*result.findings, *result.replaced_findings):
            self.finding(finding)

    def finding(self, finding: Finding) -> None:
        """File names inside a message's parameters (a cross-document finding's two places)."""
        for key, value in finding.params.items():
            if isinstance(value, str):
                finding.params[key] = self.text(value)
