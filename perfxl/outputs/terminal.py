"""What the terminal shows: a block per file with findings, the summary, the roster view, the ledger."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from pathlib import Path

from perfxl import codes
from perfxl.codes import render
from perfxl.model import DepartmentRow, FileResult
from perfxl.numbers import format_number
from perfxl.outputs.files import Summary, missing_text


def format_file(result: FileResult, lang: str = "zh") -> str:
    """A readable block for one file (empty for a clean one)."""
    if result.status == "clean":
        return ""
    out = io.StringIO()
    status = codes.status_label(result.status, lang)
    who = f"  {result.department}" if result.department else ""
    totals = ""
    if result.computed_total is not None:
        label = "总分" if lang == "zh" else "total"
        totals = f"  {label} {format_number(result.declared_total)}→{format_number(result.computed_total)}"
    out.write(f"● {result.path}{who}  [{status}]{totals}\n")
    for key in result.notes:
        out.write(f"    （{codes.note(key, lang)}）\n" if lang == "zh" else f"    ({codes.note(key, lang)})\n")
    if len(result.tables) > 1:
        names = "、".join(t.name for t in result.tables) if lang == "zh" else "; ".join(t.name for t in result.tables)
        out.write(f"    {len(result.tables)} 张表：{names}\n" if lang == "zh" else
                  f"    {len(result.tables)} tables: {names}\n")
    for finding in result.findings:
        where = "!".join(part for part in (finding.sheet, finding.cell) if part) or "-"
        if finding.table:
            where = f"[{finding.table}] {where}"
        severity = codes.severity_label(finding.severity, lang)
        out.write(f"    {severity:<4} {where:<14} {finding.code:<25} {render(finding, lang)}\n")
    return out.getvalue()


#: Above this many files, the terminal lists only the first files with errors (the rest are in the outputs).
SMALL_BATCH = 30
ERROR_BLOCKS = 20


def format_files(results: list[FileResult], lang: str = "zh", verbose: bool = False) -> str:
    """The blocks of the files with findings; a big batch shows the first files with errors only."""
    noted = [r for r in results if r.status != "clean"]
    if verbose or len(results) <= SMALL_BATCH:
        return "".join(format_file(r, lang) for r in noted)
    failing = [r for r in noted if r.status in ("errors", "unreadable")]
    out = "".join(format_file(r, lang) for r in failing[:ERROR_BLOCKS])
    hidden = len(noted) - min(len(failing), ERROR_BLOCKS)
    if hidden:
        out += (f"……另有 {hidden} 个有问题的文件未逐个列出（见审核报告、JSON 或 CSV；加 --verbose 全部列出）\n"
                if lang == "zh" else f"… {hidden} more files with findings are not listed here (see the report, "
                                     "JSON or CSV; --verbose lists them all)\n")
    return out


def format_summary(summary: Summary, lang: str = "zh") -> str:
    s = summary.to_dict()
    if lang == "zh":
        line = (f"共 {s['files']} 个文件：通过 {s['clean']}，有错误 {s['with_errors']}，"
                f"仅有警告 {s['with_warnings_only']}，无法读取 {s['unreadable']}")
    else:
        line = (f"{s['files']} files: {s['clean']} clean, {s['with_errors']} with errors, "
                f"{s['with_warnings_only']} with warnings only, {s['unreadable']} unreadable")
    if summary.skipped:
        line += (f"；另有 {len(summary.skipped)} 个文件不是提交的工作簿，未审核（见 JSON 的 skipped）" if lang == "zh" else
                 f"; {len(summary.skipped)} other files are no submission and were not reviewed (see skipped)")
    frequent = "  ".join(f"{code}×{count}" for code, count in s["findings_by_code"].items())
    return line + ("\n" + frequent if frequent else "")


def format_documents(rows: list[DepartmentRow], lang: str = "zh") -> str:
    """Per department that sent several files or lacks a document: what came in and what is missing;
    tables replaced inside a file that still counts."""
    zh = lang == "zh"
    out = io.StringIO()
    for row in rows:
        current = [d for d in row.documents if d.replaced_by is None]
        if row.result is None or (len(row.files) < 2 and not row.missing and not row.superseded):
            continue
        line = f"  {row.name}：{codes.documents_summary([d.kind for d in current], lang)}" if zh else \
            f"  {row.name}: {codes.documents_summary([d.kind for d in current], lang)}"
        if row.missing:
            gaps = [missing_text(m.kind, m.title, m.reason, lang) for m in row.missing]
            line += ("；缺：" + "、".join(gaps)) if zh else ("; missing: " + "; ".join(gaps))
        out.write(line + "\n")
    for row in rows:
        for result in row.files:
            for entry in result.replaced:
                what = codes.document_kind(entry["kind"], entry["title"], lang)
                out.write(f"  替换：{Path(result.path).name} 中的{what}已被 {Path(entry['by']).name} 替换，不计入结果\n"
                          if zh else f"  replaced: the {what} of {Path(result.path).name} by "
                                     f"{Path(entry['by']).name} (not counted)\n")
    text = out.getvalue()
    return (("各部门交来的材料：\n" if zh else "documents per department:\n") + text) if text else ""


def format_collection(rows: list[DepartmentRow], lang: str = "zh") -> str:
    """The roster view of a collection round: who is missing, who sent twice, what matched nobody."""
    zh = lang == "zh"
    missing = [r for r in rows if r.code is not None and r.status == "not_submitted"]
    twice = [r for r in rows if r.superseded]
    strays = [r for r in rows if r.code is None]
    counts = Counter(r.status for r in rows if r.code is not None)
    out = io.StringIO()
    parts = "，".join(f"{codes.status_label(k, lang)} {counts[k]}" for k in ("clean", "warnings", "errors", "unreadable", "not_submitted")
                     if counts[k]) if zh else ", ".join(f"{counts[k]} {codes.status_label(k, lang)}" for k in counts)
    out.write((f"名单 {sum(counts.values())} 个部门：{parts}\n") if zh else f"roster of {sum(counts.values())}: {parts}\n")
    if missing:
        names = "、".join(f"{r.code} {r.name}" for r in missing)
        out.write(f"  未提交：{names}\n" if zh else f"  not submitted: {names}\n")
    for row in twice:
        chosen = Path(row.result.path).name if row.result else ""
        older = _names([Path(r.path).name for r in row.superseded], lang)
        out.write(f"  重复提交：{row.code} {row.name} 采用最新的 {chosen}（另有 {older} 已被替换）\n" if zh else
                  f"  sent again: {row.code} {row.name}: using the newest {chosen} ({older} superseded)\n")
    for row in strays:
        path = row.result.path if row.result else ""
        out.write(f"  未匹配名单：{path}（{row.name}）\n" if zh else f"  matches no department: {path} ({row.name})\n")
    return out.getvalue()


def format_superseded(results: list[FileResult], lang: str = "zh") -> str:
    """One short block for the older submissions a newer one replaced: listed, never counted."""
    if not results:
        return ""
    head = (f"已被同一部门更新的提交替换、不计入结果的文件 {len(results)} 个：" if lang == "zh" else
            f"{len(results)} files superseded by a newer submission of the same department (not counted): ")
    return head + _names([Path(r.path).name for r in results], lang, limit=10) + "\n"


def format_no_copies(results: list[FileResult], lang: str = "zh") -> str:
    """One line when reports with findings came as PDFs: they get no annotated copy."""
    pdfs = [Path(r.path).name for r in results if r.format == "pdf" and r.status != "unreadable" and r.findings]
    if not pdfs:
        return ""
    return (f"PDF 报告不生成批注副本，其问题只列在审核结果中（终端、审核报告、JSON/CSV）：{_names(pdfs, lang)}\n"
            if lang == "zh" else
            f"PDF reports get no annotated copy; their findings are in the results only (terminal, report, "
            f"JSON/CSV): {_names(pdfs, lang)}\n")


def _names(names: list[str], lang: str, limit: int = 3) -> str:
    """A list that stays one line: the first few names and how many more."""
    shown = ("、" if lang == "zh" else ", ").join(names[:limit])
    if len(names) > limit:
        shown += f" 等 {len(names)} 个" if lang == "zh" else f" and {len(names) - limit} more"
    return shown


def format_status(rows, lang: str = "zh") -> str:
    """`perfxl status`: one aligned line per department from the ledger, then the totals."""
    zh = lang == "zh"
    header = ("部门编码", "部门名称", "状态", "提交次数", "最新提交", "保存时间", "修正情况", "材料") if zh else (
        "code", "department", "status", "sent", "latest file", "saved", "resubmission", "documents")
    lines = [list(header)]
    for row in rows:
        change = ""
        if row.submissions > 1:
            change = f"较上次修正 {row.fixed} 项，新增 {row.new} 项" if zh else f"fixed {row.fixed}, new {row.new}"
        code = row.code or ("（未匹配）" if zh else "(unmatched)")
        latest = Path(row.latest_path).name if row.latest_path else ""
        saved = row.latest_saved.replace("T", " ").rstrip("Z")[:16] if row.latest_saved else ""
        lines.append([code, row.name, codes.status_label(row.status, lang), str(row.submissions), latest, saved,
                      change, _status_documents(row, lang)])
    widths = [max(text_width(line[col]) for line in lines) for col in range(len(header))]
    out = io.StringIO()
    for line in lines:
        out.write("  ".join(_pad(text, width) for text, width in zip(line, widths, strict=True)).rstrip() + "\n")
    roster = [row for row in rows if row.code]
    counts = Counter(row.status for row in roster)
    parts = [f"{codes.status_label(key, lang)} {counts[key]}" for key in
             ("clean", "warnings", "errors", "unreadable", "not_submitted") if counts[key]]
    strays = len(rows) - len(roster)
    out.write((f"合计 {len(roster)} 个部门：" + "，".join(parts) if zh else
               f"{len(roster)} departments: " + ", ".join(parts))
              + ((f"；另有未匹配名单的提交 {strays} 个" if zh else f"; {strays} submissions match no department")
                 if strays else "") + "\n")
    return out.getvalue()


def _status_documents(row, lang: str) -> str:
    """'整体1 项目3 报告1；缺：未提交项目表：网络安全' from the department's latest round."""
    if row.documents is None:
        return ""
    text = codes.documents_summary(row.documents, lang)
    if row.missing:
        gaps = [missing_text(kind, title, reason, lang) for kind, title, reason in row.missing]
        text += ("；缺：" + "、".join(gaps)) if lang == "zh" else ("; missing: " + "; ".join(gaps))
    return text


def text_width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))
