"""Annotated copies: flagged cells coloured and commented, a 审核意见 sheet first, the original untouched."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from lo import require_libreoffice, run_jobs
from openpyxl.comments import Comment
from standard_forms import seed_003_workbook

from perfxl.files import sha256_of
from perfxl.model import Finding
from perfxl.outputs.annotate import (
    COLUMN_WIDTHS,
    ERROR_COLOR,
    REVIEW_HEADER_ROW,
    WARNING_COLOR,
    AnnotateError,
    annotate,
)
from perfxl.outputs.workbook import text_width
from perfxl.reading.xlsx import Workbook
from perfxl.reconcile import reconcile_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOTAL_97 = EXAMPLES / "芦淞区委宣传部_2024_总分改为97.xlsx"
NOT_RECALCULATED = EXAMPLES / "脚本填写未计算_荔湾区委宣传部_2022.xlsx"
CLEAN = EXAMPLES / "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def key(finding: Finding) -> tuple:
    return (finding.code, finding.sheet, finding.cell, finding.expected, finding.found, finding.variant)


def review_rows(book) -> list[tuple]:
    return list(book.worksheets[0].iter_rows(min_row=REVIEW_HEADER_ROW + 1, values_only=True))


def at(column: str, finding: int) -> str:
    """The review sheet's cell of the ``finding``-th finding (1-based) in ``column``."""
    return f"{column}{REVIEW_HEADER_ROW + finding}"


@pytest.fixture(scope="module")
def total_97(tmp_path_factory):
    """The 97 example annotated once: (result, copy, sha256 of the input before)."""
    before = sha256_of(TOTAL_97)
    result = reconcile_file(TOTAL_97)
    copy = annotate(result, tmp_path_factory.mktemp("out"))
    return result, copy, before


@pytest.fixture
def seed_99(tmp_path):
    """seed 003 as published, the total typed as 99 instead of 97."""
    (tmp_path / "in").mkdir()
    return reconcile_file(seed_003_workbook(tmp_path / "in" / "附件3_芦淞.xlsx", total=99))


def test_the_97_example_is_annotated(total_97):
    _, copy, _ = total_97
    assert copy is not None and copy.name == TOTAL_97.name and copy.parent != TOTAL_97.parent
    book = openpyxl.load_workbook(copy)
    total = book["自评表"]["I49"]
    assert fill_of(total) == ERROR_COLOR
    assert total.comment.text.startswith("公式被改为固定值：")  # the words first, the code last
    assert "（TOTAL_MISMATCH）" in total.comment.text and "（FORMULA_OVERWRITTEN）" in total.comment.text
    assert "[" not in total.comment.text
    assert "应为 95，实为 97" in total.comment.text and total.comment.author == "perfxl"
    warning = book["自评表"]["I39"]
    assert fill_of(warning) == WARNING_COLOR and warning.comment.text.startswith("得分与评分规则不符：")
    assert book["自评表"]["I38"].comment is None


def test_only_the_fill_changes_on_a_flagged_cell(total_97):
    _, copy, _ = total_97
    before, after = openpyxl.load_workbook(TOTAL_97)["自评表"]["I49"], openpyxl.load_workbook(copy)["自评表"]["I49"]
    assert after.value == before.value == 97
    assert after.number_format == before.number_format
    for attribute in ("font", "border", "protection"):
        assert repr(getattr(after, attribute)) == repr(getattr(before, attribute)), attribute
    assert (after.alignment.horizontal, after.alignment.vertical) == (before.alignment.horizontal,
                                                                      before.alignment.vertical)


def test_the_review_sheet_comes_first_and_lists_every_finding(total_97):
    result, copy, _ = total_97
    book = openpyxl.load_workbook(copy)
    review = book.worksheets[0]
    assert review.title == "审核意见" and book.active is review
    assert [sheet.sheet_view.tabSelected for sheet in book.worksheets] == [True, False, False, False, False]
    rows = review_rows(book)
    assert [row[8] for row in rows] == result.codes()
    assert rows[1][:5] == (2, "总分不一致", "错误", "自评表", "I49")
    assert (rows[1][6], rows[1][7]) == (95, 97)
    assert review[at("I", 2)].font.color.rgb == "FF7F7F7F"  # the code last, in grey
    assert review[at("E", 2)].hyperlink.location == "'自评表'!I49"
    assert [c.value for c in review[REVIEW_HEADER_ROW]] == ["序号", "问题", "级别", "工作表", "单元格", "说明", "应为",
                                                           "实为", "代码"]
    assert review.freeze_panes == at("A", 1) and review.auto_filter.ref == f"A{REVIEW_HEADER_ROW}:{at('I', len(rows))}"


def test_the_review_sheet_says_whose_file_when_and_what_to_do(tmp_path):
    result = reconcile_file(TOTAL_97)
    review = openpyxl.load_workbook(annotate(result, tmp_path, when=date(2025, 4, 1))).worksheets[0]
    assert review["A1"].value == "绩效自评表审核意见" and review["A1"].font.b and review["A1"].font.sz == 16
    assert review["A2"].value == "部门（单位）：中国共产党株洲市芦淞区委员会宣传部"
    errors = sum(f.severity == "error" for f in result.findings)
    assert review["A3"].value == (f"审核日期：2025-04-01　　文件：{TOTAL_97.name}　　共 {len(result.findings)} 条："
                                  f"错误 {errors} 条，警告 {len(result.findings) - errors} 条")
    steps = review["A4"].value
    for words in ("标红", "必须改正", "标黄", "链接", "批注", "保存本文件", ".xlsx", "发回审核部门"):
        assert words in steps, words
    assert {f"A{row}:I{row}" for row in range(1, 5)} <= {str(r) for r in review.merged_cells.ranges}
    lines = -(-text_width(steps) // sum(COLUMN_WIDTHS))  # at least: merged over all the columns
    assert lines >= 2 and review["A4"].alignment.wrap_text and review.row_dimensions[4].height >= 15 * lines
    english = openpyxl.load_workbook(annotate(result, tmp_path / "en", "en", when=date(2025, 4, 1))).worksheets[0]
    assert english["A2"].value == "Department: 中国共产党株洲市芦淞区委员会宣传部"
    assert english["A3"].value.startswith("Reviewed on 2025-04-01") and "send it back" in english["A4"].value


def test_the_original_is_untouched(total_97):
    _, _, before = total_97
    assert sha256_of(TOTAL_97) == before


def test_the_copy_keeps_the_workbook(total_97):
    """What reconcile reads is the same in the copy: values, cached results, formulas, protection."""
    _, copy, _ = total_97
    with Workbook(TOTAL_97) as original, Workbook(copy) as annotated:
        assert [(s.name, s.state) for s in annotated.sheets][1:] == [(s.name, s.state) for s in original.sheets]
        # The copy keeps every property and names its review sheet (so that it is never read as data).
        added = {"perfxl_review_sheet": "审核意见", "perfxl_marks": annotated.custom_properties["perfxl_marks"]}
        assert annotated.custom_properties == {**original.custom_properties, **added}
        assert annotated.structure_protection == original.structure_protection
        for entry in original.sheets:
            before, after = original.sheet(entry.name), annotated.sheet(entry.name)
            assert after.cells == before.cells, entry.name  # cached formula values included
            assert sorted(after.merged) == sorted(before.merged) and after.protected == before.protected
    before_book, after_book = openpyxl.load_workbook(TOTAL_97), openpyxl.load_workbook(copy)
    for sheet in before_book.worksheets:
        other = after_book[sheet.title]
        assert len(other.data_validations.dataValidation) == len(sheet.data_validations.dataValidation)
        assert sorted(str(cf.sqref) for cf in other.conditional_formatting) == sorted(
            str(cf.sqref) for cf in sheet.conditional_formatting)
        assert repr(other.protection) == repr(sheet.protection)
    assert after_book["自评表"].print_title_rows == before_book["自评表"].print_title_rows
    assert not after_book.calculation.fullCalcOnLoad  # shows the submitted values, as the original did


def test_the_copy_still_reconciles_the_same(total_97):
    result, copy, _ = total_97
    again = reconcile_file(copy)
    assert [key(f) for f in again.findings] == [key(f) for f in result.findings]
    assert "NOT_RECALCULATED" not in again.codes()  # openpyxl drops cached values; annotate puts them back


def test_very_hidden_sheet_structure_lock_and_missing_caches_survive(tmp_path):
    """A file written by a script: very hidden metadata, locked structure, no cached values at all."""
    result = reconcile_file(NOT_RECALCULATED)
    copy = annotate(result, tmp_path)
    with Workbook(copy) as annotated:
        assert dict((s.name, s.state) for s in annotated.sheets)["_perfxl"] == "veryHidden"
        assert annotated.structure_protection == "locked"
    assert fill_of(openpyxl.load_workbook(copy)["自评表"]["K4"]) == WARNING_COLOR
    again = reconcile_file(copy)
    assert [(key(f), f.params) for f in again.findings] == [(key(f), f.params) for f in result.findings]
    assert openpyxl.load_workbook(copy).calculation.fullCalcOnLoad  # still asks to be recalculated


def test_a_standard_form_with_a_planted_total(seed_99, tmp_path):
    assert [(f.code, f.cell) for f in seed_99.findings] == [("TOTAL_MISMATCH", "I26"), ("SCORE_RULE_MISMATCH", "I23")]
    copy = annotate(seed_99, tmp_path / "out")
    sheet = openpyxl.load_workbook(copy)["附件3"]
    assert fill_of(sheet["I26"]) == ERROR_COLOR
    assert sheet["I26"].comment.text == "总分不一致：总分 99 与各项得分合计 97 不一致（应为 97，实为 99）（TOTAL_MISMATCH）"
    assert fill_of(sheet["I23"]) == WARNING_COLOR
    assert [key(f) for f in reconcile_file(copy).findings] == [key(f) for f in seed_99.findings]


def test_english(seed_99, tmp_path):
    book = openpyxl.load_workbook(annotate(seed_99, tmp_path, lang="en"))
    assert book.sheetnames[0] == "Review"
    assert book["附件3"]["I26"].comment.text == (
        "total mismatch: total 99 differs from the sum of its parts 97 (expected 97, found 99) (TOTAL_MISMATCH)")
    assert review_rows(book)[0][2] == "error"
    with pytest.raises(ValueError):
        annotate(seed_99, tmp_path, lang="fr")


def test_nothing_to_show_writes_nothing(tmp_path):
    clean = reconcile_file(CLEAN)
    assert clean.status == "clean" and annotate(clean, tmp_path / "out") is None
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    unreadable = reconcile_file(bad)
    assert unreadable.status == "unreadable" and annotate(unreadable, tmp_path / "out") is None
    assert not (tmp_path / "out").exists()


def test_findings_without_a_usable_cell_are_listed_only(seed_99, tmp_path):
    seed_99.findings += [
        Finding("MISSING_VALUE", "不存在的表", "A1", params={"what": ("grade", {})}),
        Finding("MISSING_VALUE", "附件3", "not a cell", params={"what": ("grade", {})}),
        Finding("MISSING_VALUE", "附件3", "A1048577", params={"what": ("grade", {})}),
        Finding("PROTECTION_REMOVED", "附件3"),
        Finding("PROTECTION_REMOVED", variant="workbook"),
    ]
    book = openpyxl.load_workbook(annotate(seed_99, tmp_path))
    rows = review_rows(book)
    assert [row[8] for row in rows] == seed_99.codes()
    assert rows[-1][3:6] == (None, None, "工作簿结构保护已被撤销")
    review = book.worksheets[0]
    assert review[at("E", 3)].hyperlink is None  # the sheet is not there
    assert review[at("E", 4)].hyperlink is None and review[at("E", 5)].hyperlink is None  # no such cell
    assert review[at("D", 6)].hyperlink.location == "'附件3'!A1"  # a finding about a whole sheet
    assert book["附件3"]["A1"].comment is None


def test_a_cell_inside_a_merged_range_annotates_its_top_left(seed_99, tmp_path):
    seed_99.findings += [Finding("MISSING_VALUE", "附件3", "D26", params={"what": ("total_weight", {})}),
                         Finding("MISSING_VALUE", "附件3", "C14", params={"what": ("grade", {})})]
    book = openpyxl.load_workbook(annotate(seed_99, tmp_path))
    sheet = book["附件3"]
    assert "B26:G26" in {str(r) for r in sheet.merged_cells.ranges}
    assert fill_of(sheet["B26"]) == ERROR_COLOR and "（MISSING_VALUE）" in sheet["B26"].comment.text
    assert fill_of(sheet["C12"]) == ERROR_COLOR and "评价等次未填写" in sheet["C12"].comment.text
    assert book.worksheets[0][at("E", 3)].hyperlink.location == "'附件3'!B26"


def test_text_from_the_submission_never_becomes_a_formula(seed_99, tmp_path):
    planted = ['=HYPERLINK("http://example.invalid","点此")', "+1+1", "-2", "@SUM(A1)"]
    seed_99.findings += [Finding("UNPARSEABLE_VALUE", "附件3", "H12", found=text, params={"what": text})
                         for text in planted]
    copy = annotate(seed_99, tmp_path)
    with zipfile.ZipFile(copy) as archive:
        review_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in review_xml and "<f " not in review_xml
    review = openpyxl.load_workbook(copy).worksheets[0]
    for row, text in enumerate(planted, start=REVIEW_HEADER_ROW + 3):
        found = review.cell(row=row, column=8)
        assert (found.value, found.data_type, found.quotePrefix) == (text, "s", True)
        message = review.cell(row=row, column=6)
        assert message.value.startswith(text) and message.data_type == "s" and message.quotePrefix
    with Workbook(copy) as annotated:  # and perfxl's reader sees plain text there too
        assert annotated.sheet("审核意见").get(at("H", 3)).formula is None


def test_a_taken_name_gets_a_suffix_and_the_original_is_never_overwritten(seed_99, tmp_path):
    source = Path(seed_99.path)
    before = sha256_of(source)
    out = tmp_path / "out"
    first, second = annotate(seed_99, out), annotate(seed_99, out)
    assert (first.name, second.name) == ("附件3_芦淞.xlsx", "附件3_芦淞 (2).xlsx")
    beside = annotate(seed_99, source.parent)  # the input's own folder
    assert beside.name == "附件3_芦淞 (2).xlsx" and sha256_of(source) == before
    assert sorted(p.name for p in out.iterdir()) == ["附件3_芦淞 (2).xlsx", "附件3_芦淞.xlsx"]  # no temp files


def test_an_existing_comment_is_kept(tmp_path):
    path = seed_003_workbook(tmp_path / "a.xlsx", total=99)
    book = openpyxl.load_workbook(path)
    book["附件3"]["I26"].comment = Comment("财务科：已核对", "张三")
    book.save(path)
    sheet = openpyxl.load_workbook(annotate(reconcile_file(path), tmp_path / "out"))["附件3"]
    text = sheet["I26"].comment.text
    assert text.startswith("总分不一致：") and text.endswith("财务科：已核对")


def test_a_file_changed_since_reconcile_is_refused(seed_99, tmp_path):
    source = Path(seed_99.path)
    seed_003_workbook(source, total=98)
    with pytest.raises(AnnotateError, match="修改"):
        annotate(seed_99, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.libreoffice
def test_libreoffice_opens_the_copy(total_97, tmp_path):
    require_libreoffice()
    _, copy, _ = total_97
    other = tmp_path / "resaved.xlsx"
    [job] = run_jobs([{"input": str(copy), "output": str(other), "ops": [
        {"op": "read", "sheet": "自评表", "cell": "I49"},
        {"op": "read", "sheet": "审核意见", "cell": at("I", 2)},
        {"op": "read", "sheet": "审核意见", "cell": "A2"},
    ]}])
    assert job["ok"], job["error"]
    total, code, department = job["reads"]
    assert (total["type"], total["value"]) == ("VALUE", 97)
    assert (code["type"], code["string"]) == ("TEXT", "TOTAL_MISMATCH")
    assert department["string"] == "部门（单位）：中国共产党株洲市芦淞区委员会宣传部"
    assert other.exists()


def test_numbers_stay_numbers_in_the_review_sheet(total_97):
    _, copy, _ = total_97
    rows = review_rows(openpyxl.load_workbook(copy))
    assert rows[2][6:8] == (14.85, 17)


def test_an_oversized_workbook_gets_no_copy(seed_99, tmp_path, monkeypatch):
    """openpyxl runs in the parent process without the workers' limits: big files are refused."""
    import perfxl.outputs.annotate as module

    monkeypatch.setattr(module, "MAX_ANNOTATE_BYTES", 1000)
    with pytest.raises(AnnotateError, match="上限") as refused:
        annotate(seed_99, tmp_path / "out")
    assert "limit" in refused.value.message("en") and "上限" in refused.value.message("zh")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_an_xls_submission_gets_a_clear_reason_instead_of_a_copy(tmp_path):
    xls = Path(__file__).resolve().parent / "formats" / "15_yueyang_2020_grade.xls"
    result = reconcile_file(xls)
    assert result.format == "xls" and result.findings
    with pytest.raises(AnnotateError) as raised:
        annotate(result, tmp_path)
    assert "不是 .xlsx" in raised.value.message("zh") and "not an .xlsx" in raised.value.message("en")
    assert not list(tmp_path.iterdir())


def test_a_returned_copy_sent_back_again_gets_one_review(seed_99, tmp_path):
    """The department fixes its total in the 退回 copy and sends it back; the cost warning remains.

    The next copy has one 审核意见 sheet, the fixed cell is back to its own fill with no comment, and
    the remaining cell's comment is not stacked on the earlier one.
    """
    original = openpyxl.load_workbook(seed_99.path)["附件3"]
    first = annotate(seed_99, tmp_path / "退回1")
    book = openpyxl.load_workbook(first)
    book["附件3"]["I26"] = 97  # fixed in Excel: the total now matches its parts
    returned = tmp_path / "收回" / first.name
    returned.parent.mkdir()
    book.save(returned)
    again = reconcile_file(returned)
    assert [(f.code, f.cell) for f in again.findings] == [("SCORE_RULE_MISMATCH", "I23")]
    second = openpyxl.load_workbook(annotate(again, tmp_path / "退回2"))
    assert [name for name in second.sheetnames if name.startswith("审核意见")] == ["审核意见"]
    assert len(review_rows(second)) == 1
    sheet = second["附件3"]
    assert sheet["I26"].comment is None and fill_of(sheet["I26"]) == fill_of(original["I26"])
    assert sheet["I23"].comment.text.count("SCORE_RULE_MISMATCH") == 1 and fill_of(sheet["I23"]) == WARNING_COLOR
    # A copy that comes back corrected reconciles clean.
    sheet["I23"], sheet["I26"] = 14.85, 94.85  # scored by the rule, and the total with it
    sheet["I23"].comment = None
    fixed = tmp_path / "收回" / "fixed.xlsx"
    second.save(fixed)
    assert reconcile_file(fixed).findings == [] and reconcile_file(fixed).status == "clean"
