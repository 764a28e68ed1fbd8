"""Why a file is unreadable, worded once (codes.DETAILS) in Chinese and English (issue 17).

The readers raise ``UnreadableWorkbook(reason, detail_key, **params)``: no Chinese sentence lives in
a reader, the Chinese text of each message is what it always was, and English output says the same
thing in English.
"""

from __future__ import annotations

import ast
import io
import json
import pickle
import re
import string
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.cli import main
from perfxl.codes import DETAILS, REASONS, render
from perfxl.model import FileResult
from perfxl.reading.xlsx import UnreadableWorkbook
from perfxl.reconcile import reconcile_file

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: The calls whose arguments say why a file is unreadable: the exception, the helper building a
#: damaged-.xls one, file_head's ``ole`` (reason, key) and reconcile's result of an unreadable file.
REASON_CALLS = {"UnreadableWorkbook", "_damaged", "file_head", "unreadable_result"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_detail_has_the_same_placeholders_in_both_languages():
    for key, (zh, en) in DETAILS.items():
        assert _fields(zh) == _fields(en), (key, _fields(zh), _fields(en))
        assert CJK.search(zh), (key, zh)
        assert not CJK.search(en) and re.search("[a-z]{3}", en), (key, en)


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def chinese_arguments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal with Chinese in it among the arguments of a REASON_CALLS call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called(node) in REASON_CALLS:
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                found += [(literal.lineno, literal.value) for literal in ast.walk(argument)
                          if isinstance(literal, ast.Constant) and isinstance(literal.value, str)
                          and CJK.search(literal.value)]
    return found


def _sources() -> dict[str, str]:
    """Every module of perfxl that names UnreadableWorkbook or makes an unreadable result."""
    sources = {}
    for path in sorted((ROOT / "perfxl").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "UnreadableWorkbook" in text or "unreadable_result(" in text:
            sources[str(path.relative_to(ROOT))] = text
    return sources


def test_no_reader_passes_a_chinese_sentence():
    sources = _sources()
    assert {"perfxl/reading/xlsx.py", "perfxl/reading/calamine.py", "perfxl/reading/docx.py",
            "perfxl/reading/pdf.py", "perfxl/reconcile.py"} <= set(sources), sorted(sources)
    offending = {name: hits for name, source in sources.items() if (hits := chinese_arguments(source))}
    assert not offending, offending


@pytest.mark.parametrize("snippet", [
    'raise UnreadableWorkbook("corrupt", "文件内容损坏")',
    'raise UnreadableWorkbook("corrupt", f"工作表“{name}”损坏")',
    'raise xlsx.UnreadableWorkbook("io", "open_failed", error="无法打开")',
    'file_head(path, limits, ("doc", "这是 Word 文档"))',
    'raise _damaged("扇区不完整")',
    'return unreadable_result(path, "io", detail=f"无法读取文件：{exc}")',
])
def test_the_scan_sees_a_chinese_sentence(snippet):
    """The check above would fail if one came back (each form of call it covers)."""
    assert chinese_arguments(f"def f():\n    {snippet}\n")


def _detail_keys(source: str) -> set[str]:
    """The detail keys named in the calls: UnreadableWorkbook's second argument, _damaged's first,
    the second of file_head's ``ole`` and of _describe_ole's returned pairs, reconcile's detail_key."""
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called(node) in REASON_CALLS:
            candidates = {"UnreadableWorkbook": node.args[1:2], "_damaged": node.args[:1],
                          "file_head": [e.elts[1] for e in node.args[2:3] if isinstance(e, ast.Tuple)]}
            candidates["unreadable_result"] = [k.value for k in node.keywords if k.arg == "detail_key"]
            keys |= {c.value for c in candidates[_called(node)]
                     if isinstance(c, ast.Constant) and isinstance(c.value, str)}
        if isinstance(node, ast.FunctionDef) and node.name == "_describe_ole":
            keys |= {r.value.elts[1].value for r in ast.walk(node)
                     if isinstance(r, ast.Return) and isinstance(r.value, ast.Tuple)}
    return keys


def test_every_detail_key_used_is_worded():
    used = set().union(*(_detail_keys(source) for source in _sources().values()))
    assert {"zip_unreadable", "part_dtd", "encrypted_xlsx", "legacy_xls", "doc_ole", "pdf_cid",
            "ole_header_short", "read_failed"} <= used, used
    assert used <= set(DETAILS), used - set(DETAILS)


def test_the_exception_speaks_both_languages_and_travels():
    exc = UnreadableWorkbook("zip_limits", "zip_entries", entries=3000, limit=2000)
    assert str(exc) == "压缩包条目过多（3000 个），超过安全上限 2000"
    assert exc.detail("zh") == str(exc)
    assert exc.detail("en") == "the zip package has too many entries (3000), over the safety limit of 2000"
    again = pickle.loads(pickle.dumps(exc))
    assert (again.reason, again.detail_key, again.params, str(again)) == (exc.reason, exc.detail_key,
                                                                         exc.params, str(exc))
    big = UnreadableWorkbook("too_large", "sheet_too_large", sheet="自评表", cells=3_000_000, limit=2_000_000)
    assert str(big) == "工作表“自评表”的数据区域过大（约 3,000,000 个单元格），超过安全上限 2,000,000"
    assert big.detail("en") == ('the data area of sheet "自评表" is too large (about 3,000,000 cells), '
                                "over the safety limit of 2,000,000")


# --- end to end ------------------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _with_part(part: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(GOOD) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, data if name == part else source.read(name))
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
CASES = {  # file: (bytes, today's Chinese message, words of the English one)
    "truncated.xlsx": (lambda: GOOD.read_bytes()[:4000],
                       "文件无法读取：文件已损坏或不完整（zip 结构无法读取），请重新保存后再提交",
                       "damaged or incomplete (its zip structure cannot be read)"),
    "dtd.xlsx": (lambda: _with_part(SHEET, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><worksheet>&e;'
                                           b"</worksheet>"),
                 f"文件无法读取：文件中的 {SHEET} 含有 DTD/实体声明，出于安全原因拒绝读取",
                 f"{SHEET} in the file contains a DTD or entity declaration: refused for safety"),
    "encrypted.xlsx": (lambda: OLE + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100,
                       "文件无法读取：文件已加密（设置了打开密码），请取消打开密码后另存为 .xlsx 再提交",
                       "the file is encrypted (it has a password to open)"),
    "legacy.xlsx": (lambda: OLE + b"\0" * 2048,
                    "文件无法读取：这是旧版 Excel 97-2003（.xls）或 WPS（.et）格式，请在 Excel/WPS 中另存为 .xlsx 再提交",
                    "an old Excel 97-2003 (.xls) or WPS (.et) file"),
}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    assert SHEET in zipfile.ZipFile(GOOD).namelist()
    for name, (make, _, _) in CASES.items():
        (folder / name).write_bytes(make())
    return folder


def _messages(inbox: Path, out: Path, lang: str) -> dict[str, str]:
    result = CliRunner().invoke(main, ["reconcile", str(inbox), "--json", str(out), "--lang", lang])
    assert result.exit_code == 1, result.output
    files = json.loads(out.read_text(encoding="utf-8"))["files"]
    assert all(entry["status"] == "unreadable" and [f["code"] for f in entry["findings"]] == ["UNREADABLE_FILE"]
               for entry in files), files
    return {Path(entry["path"]).name: entry["findings"][0]["message"] for entry in files}


def test_english_output_says_why_in_english(inbox, tmp_path):
    english = _messages(inbox, tmp_path / "en.json", "en")
    assert set(english) == set(CASES)
    for name, (_, _, words) in CASES.items():
        message = english[name]
        assert message.startswith("the file cannot be read: ") and words in message, (name, message)
        assert not CJK.search(message), (name, message)


def test_chinese_output_is_unchanged(inbox, tmp_path):
    chinese = _messages(inbox, tmp_path / "zh.json", "zh")
    assert chinese == {name: zh for name, (_, zh, _) in CASES.items()}


def test_the_ledger_keeps_the_detail_in_both_languages(inbox):
    result = reconcile_file(inbox / "dtd.xlsx")
    again = FileResult.from_record(result.to_record())
    assert render(again.findings[0], "en") == render(result.findings[0], "en")
    assert render(again.findings[0], "zh") == CASES["dtd.xlsx"][1]


def test_an_old_record_without_a_key_still_reads():
    """A result recorded before the registry holds the Chinese detail only: English falls back to the reason."""
    from perfxl.model import Finding

    old = Finding("UNREADABLE_FILE", params={"detail": "文件为空（0 字节）", "reason": "empty"})
    assert render(old, "zh") == "文件无法读取：文件为空（0 字节）"
    assert render(old, "en") == f"the file cannot be read: {REASONS['empty'][1]}"


def test_every_hostile_format_is_explained_in_english(tmp_path):
    """The .xls/.ods/.docx readers' reasons too (the hostile files of test_formats)."""
    from test_formats import HOSTILE

    from perfxl.reading.calamine import open_workbook

    for name, (make, reason) in HOSTILE.items():
        path = tmp_path / name
        path.write_bytes(make())
        with pytest.raises(UnreadableWorkbook) as caught:
            with open_workbook(path) as book:
                for sheet in book.sheet_names:
                    book.sheet(sheet)
        exc = caught.value
        assert exc.reason == reason and exc.detail_key in DETAILS, (name, exc.detail_key)
        assert str(exc) == exc.detail("zh") and CJK.search(str(exc)), (name, str(exc))
        assert not CJK.search(exc.detail("en")), (name, exc.detail("en"))
