"""Annotated copies of a Word report: a Word comment on every paragraph or table cell with a
finding, and a short 审核意见 section at the top. The original is never touched.

The review section is marked in the copy (its paragraph count in the document's keywords), so that
reading the copy skips it and numbers paragraphs as in the original, and annotating the copy again
replaces it instead of stacking a second one.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from perfxl import codes
from perfxl.files import atomic_write_bytes
from perfxl.model import FileResult, Finding
from perfxl.outputs.annotate import AUTHOR, free_name, note, read_submission
from perfxl.reading.docx import REVIEW_MARK, review_paragraphs

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TITLES = {"zh": "审核意见", "en": "Review"}
INSTRUCTIONS = {
    "zh": "请按批注修改正文和表格中标出的内容，保存后将本文件交回。审核日期：{date}。",
    "en": "Please correct what the comments point to in the text and the tables, save, and send this file "
          "back. Reviewed on {date}.",
}


def annotate_report(result: FileResult, out_dir: str | Path, lang: str = "zh", *,
                    target: Path | None = None, source: Path | None = None) -> Path | None:
    """Write an annotated copy of a .docx report into ``out_dir``; None when there is nothing to show.
    ``source``: where the file is when ``result.path`` is the name shown for it (as for annotate)."""
    import docx

    if result.status == "unreadable" or not result.findings:
        return None
    shown = Path(result.path).name
    data = read_submission(Path(source or result.path), result.sha256, shown)
    document = docx.Document(io.BytesIO(data))
    _remove_earlier_review(document)
    for finding in result.findings:
        runs = _runs_at(document, finding)
        if runs:
            document.add_comment(runs, text=note(finding, lang), author=AUTHOR, initials="P")
    _add_review_section(document, result, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    target = target or free_name(Path(out_dir), shown)  # a batch chose the name already
    atomic_write_bytes(target, buffer.getvalue())
    return target


def _runs_at(document, finding: Finding) -> list:
    """The runs a finding's comment is anchored to: its paragraph (P{n}) or table cell (表N, R{r}C{c})."""
    skip = review_paragraphs(document.core_properties.keywords or "")
    paragraph = None
    if finding.sheet == "正文" and finding.cell and finding.cell.startswith("P"):
        index = int(finding.cell[1:]) - 1 + skip
        if 0 <= index < len(document.paragraphs):
            paragraph = document.paragraphs[index]
    table = re.fullmatch(r"表(\d+)", finding.sheet or "")
    place = re.fullmatch(r"R(\d+)C(\d+)", finding.cell or "")
    if table and place:
        number = int(table.group(1)) - 1
        if number < len(document.tables):
            try:
                cell = document.tables[number].cell(int(place.group(1)) - 1, int(place.group(2)) - 1)
            except IndexError:
                cell = None
            paragraph = cell.paragraphs[0] if cell is not None and cell.paragraphs else None
    if paragraph is None:
        return []
    return list(paragraph.runs) or [paragraph.add_run("")]


def _add_review_section(document, result: FileResult, lang: str) -> None:
    """A short section first: title, department, date and what to do, then one line per finding."""
    lines = [TITLES[lang], (result.department or Path(result.path).name),
             INSTRUCTIONS[lang].format(date=date.today().isoformat())]
    for number, finding in enumerate(result.findings, start=1):
        where = " ".join(part for part in (finding.sheet, finding.cell) if part)
        severity = codes.severity_label(finding.severity, lang)
        lines.append(f"{number}.【{severity}】{where}：{note(finding, lang)}" if lang == "zh" else
                     f"{number}. ({severity}) {where}: {note(finding, lang)}")
    first = document.paragraphs[0] if document.paragraphs else document.add_paragraph("")
    for index, line in enumerate(lines):
        paragraph = first.insert_paragraph_before(line)
        if index == 0:
            paragraph.runs[0].bold = True
    document.core_properties.keywords = f"{REVIEW_MARK}{len(lines)}"


def _remove_earlier_review(document) -> None:
    """A returned copy annotated again: its earlier review section and perfxl's comments go first."""
    count = review_paragraphs(document.core_properties.keywords or "")
    for paragraph in list(document.paragraphs)[:count]:
        element = paragraph._element
        element.getparent().remove(element)
    document.core_properties.keywords = ""
    comments = document.comments._comments_elm
    ours = {comment.get(_W + "id") for comment in comments.iterfind(_W + "comment")
            if comment.get(_W + "author") == AUTHOR}
    if not ours:
        return
    for comment in list(comments.iterfind(_W + "comment")):
        if comment.get(_W + "id") in ours:
            comments.remove(comment)
    body = document.element.body
    for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        for anchor in list(body.iter(_W + tag)):
            if anchor.get(_W + "id") in ours:
                parent = anchor.getparent()
                parent.remove(anchor)
                if tag == "commentReference" and parent.tag == _W + "r" and len(parent) <= 1:
                    parent.getparent().remove(parent)  # the run held only the reference (and its style)
