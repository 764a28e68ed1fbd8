"""The command line: exit codes, JSON and CSV shapes exactly as contract.md fixes them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.cli import main
from perfxl.reconcile import reconcile_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CLEAN = EXAMPLES / "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"
FAULTY = EXAMPLES / "芦淞区委宣传部_2024_总分改为97.xlsx"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_template_command(tmp_path):
    out = tmp_path / "模板.xlsx"
    result = run("template", out, "--department", "测试部门", "--year", "2024", "--scheme", "classic")
    assert result.exit_code == 0, result.output
    assert out.exists() and "classic" in result.output


def test_template_rejects_a_bad_scheme(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((Path(__file__).parent.parent / "templates/schemes/standard.toml").read_text(
        encoding="utf-8").replace("weight = 40", "weight = 41"), encoding="utf-8")
    result = run("template", tmp_path / "x.xlsx", "--scheme", bad)
    assert result.exit_code == 2 and "100" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_exit_codes(tmp_path):
    assert run("reconcile", CLEAN).exit_code == 0
    assert run("reconcile", FAULTY).exit_code == 1
    assert run("reconcile", tmp_path / "missing.xlsx").exit_code == 2
    assert run("reconcile", CLEAN, "--lang", "fr").exit_code == 2
    assert run("reconcile", CLEAN, "--scheme", "nonexistent").exit_code == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert run("reconcile", broken).exit_code == 1


def test_json_follows_the_contract(tmp_path):
    out = tmp_path / "r.json"
    result = run("reconcile", EXAMPLES, "--json", out)
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"perfxl_version", "scheme", "summary", "skipped", "round", "files"}
    assert set(data["summary"]) == {"files", "clean", "with_errors", "with_warnings_only", "unreadable",
                                    "findings_by_code"}
    assert data["summary"]["files"] == len(data["files"]) == 9
    entry = next(f for f in data["files"] if f["path"].endswith("总分改为97.xlsx"))
    assert set(entry) == {"path", "sha256", "status", "department", "year", "layout", "scheme", "format",
                          "declared_total", "computed_total", "declared_grade", "computed_grade",
                          "superseded_by", "documents", "replaced", "notes", "tables", "findings",
                          "replaced_findings"}
    assert entry["documents"] == [{"kind": "overall", "title": ""}] and entry["replaced"] == []
    assert entry["status"] == "errors" and entry["layout"] == "perfxl-template"
    assert entry["format"] == "xlsx" and entry["superseded_by"] is None
    assert entry["tables"] == [{"sheet": "自评表", "kind": "overall", "title": None, "scheme": "standard",
                                "declared_total": 97, "computed_total": 95, "declared_grade": "优",
                                "computed_grade": "优"}]
    # Each file is recorded under its own scheme, not the run's default (issue 9).
    schemes = {Path(f["path"]).name: f["scheme"] for f in data["files"]}
    assert schemes["峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"] == "classic"
    assert schemes["芦淞区委宣传部_2024_自评表.xlsx"] == "standard"
    assert (entry["declared_total"], entry["computed_total"]) == (97, 95)
    total = next(f for f in entry["findings"] if f["code"] == "TOTAL_MISMATCH")
    assert total == {"code": "TOTAL_MISMATCH", "severity": "error", "sheet": "自评表", "cell": "I49",
                     "expected": 95, "found": 97, "message": "总分 97 与各项得分合计 95 不一致"}
    assert data["summary"]["findings_by_code"]["TOTAL_MISMATCH"] == 2  # 芦淞 and 峨边's 数字化建设 table
    # Without a roster the round groups the files by the department they name, and replaces nothing.
    departments = {d["name"]: d for d in data["round"]["departments"]}
    ebian = departments["峨边彝族自治县融媒体中心"]
    assert sorted((d["kind"], d["title"]) for d in ebian["documents"]) == [
        ("overall", ""), ("overall", ""), ("project", "峨边在线"), ("project", "推广服务及保障安全播出"),
        ("project", "数字化建设"), ("report", ""), ("report", "")]  # the report as .docx and printed to .pdf
    assert len(ebian["files"]) == 4 and ebian["missing"] == [] and ebian["status"] == "errors"
    assert all(d["replaced_by"] is None for d in ebian["documents"])
    assert data["round"]["missing"] == data["round"]["unmatched"] == data["round"]["duplicates"] == []
    # The report restates the 数字化建设 table as 98, the workbook's declares 100 (its rows add to 98).
    report = next(f for f in data["files"] if f["path"].endswith("自评报告.docx"))
    assert report["documents"] == [{"kind": "report", "title": ""}]
    cross = [f for f in report["findings"] if f["code"] == "CROSS_DOCUMENT_MISMATCH"]
    assert [(f["sheet"], f["cell"], f["expected"], f["found"]) for f in cross] == [("表3", "R18C7", 100, 98)]
    assert "整体与三个项目.xlsx 数字化建设!H20" in cross[0]["message"]
    printed = next(f for f in data["files"] if f["path"].endswith("自评报告.pdf"))  # the same report, as a PDF
    assert printed["layout"] == "pdf-report" and printed["documents"] == [{"kind": "report", "title": ""}]
    cross = [f for f in printed["findings"] if f["code"] == "CROSS_DOCUMENT_MISMATCH"]
    assert [(f["sheet"], f["cell"], f["expected"], f["found"]) for f in cross] == [("页7表1", "R18C7", 100, 98)]


def test_csv_and_english(tmp_path):
    out = tmp_path / "r.csv"
    result = run("reconcile", FAULTY, "--csv", out, "--lang", "en")
    assert "total 97 differs from the sum of its parts 95" in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["path", "department", "code", "severity", "sheet", "cell", "expected", "found", "message"]
    total = next(r for r in rows if r[2] == "TOTAL_MISMATCH")
    assert total[5:8] == ["I49", "95", "97"]


def test_folders_are_searched_and_other_spreadsheets_reported(tmp_path):
    folder = tmp_path / "收回" / "二级"
    folder.mkdir(parents=True)
    shutil.copy(CLEAN, folder / "a.xlsx")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (folder / "wps.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (folder / "notes.txt").write_text("ignored")
    (folder / "~$a.xlsx").write_bytes(b"lock")
    (folder / "报告.pdf").write_bytes(b"%PDF-1.4")
    (folder / "宏.xlsm").write_bytes(b"PK")
    (folder / "报告.docx").write_bytes(b"PK")
    formats = Path(__file__).resolve().parent / "formats"
    shutil.copy(formats / "15_yueyang_2020_grade.xls", folder / "saved_by_excel97.xls")
    shutil.copy(formats / "15_yueyang_2020_grade.ods", folder / "libreoffice.ods")
    out = tmp_path / "r.json"
    result = run("reconcile", tmp_path / "收回", "--json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert {name: f["status"] for name, f in by_name.items()} == {
        "a.xlsx": "clean", "old.xls": "unreadable", "wps.et": "unreadable", "报告.pdf": "unreadable",
        "宏.xlsm": "unreadable", "saved_by_excel97.xls": "errors", "libreoffice.ods": "errors",
        "报告.docx": "unreadable"}  # a Word report is read; this one is two bytes of a zip
    # .xls and .ods are read as values, with the same findings as the .xlsx they were saved from.
    source = [(f.code, f.cell) for f in reconcile_file(formats / "15_yueyang_2020_grade.xlsx").findings]
    for name, kind in (("saved_by_excel97.xls", "xls"), ("libreoffice.ods", "ods")):
        assert by_name[name]["format"] == kind and len(by_name[name]["notes"]) == 1
        assert [(f["code"], f["cell"]) for f in by_name[name]["findings"]] == source == [("GRADE_MISMATCH", "G21")]
    assert "另存为 .docx" not in by_name["报告.pdf"]["findings"][0]["message"]
    assert by_name["报告.pdf"]["format"] == "pdf" and by_name["宏.xlsm"]["format"] == "xlsm"
    skipped = {Path(entry["path"]).name: entry["reason"] for entry in data["skipped"]}
    assert set(skipped) == {"notes.txt", "~$a.xlsx"}
    assert "锁定文件" in skipped["~$a.xlsx"] and "不是工作簿" in skipped["notes.txt"]
    assert "另有 2 个文件不是提交的工作簿" in result.output
    assert result.exit_code == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs_give_the_same_results(tmp_path, jobs):
    out = tmp_path / "r.json"
    run("reconcile", EXAMPLES, "--json", out, "--jobs", jobs)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [f["path"] for f in data["files"]] == sorted(f["path"] for f in data["files"])
    # 峨边 is clean; 荔湾 (both copies) warns that spending (72.60%) trails performance; errors: 芦淞's 97,
    # the third of 峨边's four tables, the 基础数据表 (.xls) with a typo and the Word report's text (as .docx and .pdf).
    assert data["summary"]["with_errors"] == 5 and data["summary"]["clean"] == 1


def test_csv_neutralises_formula_text(tmp_path):
    """Department names and free text reach the CSV; a spreadsheet must not run them as formulas."""
    from perfxl.model import FileResult, Finding
    from perfxl.outputs.files import Run

    out = tmp_path / "r.csv"
    run = Run("standard", csv_path=out)
    result = FileResult(path="=cmd|' /C calc'!A0.xlsx", department="@SUM(1+1)*cmd|'/C calc'!A0",
                        findings=[Finding("UNPARSEABLE_VALUE", "自评表", "I9", None, "-2+3",
                                          params={"what": ("score", {"name": "+手工"})})])
    run.add(result.finish())
    run.close()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["文件", "部门", "代码", "级别", "工作表", "单元格", "应为", "实为", "说明"]  # zh by default
    row = dict(zip(rows[0], rows[1], strict=True))
    for column in ("文件", "部门", "实为"):
        assert row[column].startswith("'"), (column, row[column])
    assert not any(value.startswith(("=", "+", "-", "@")) for value in rows[1])


def test_report_and_annotate_from_the_command_line(tmp_path, monkeypatch):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for source in (CLEAN, FAULTY):
        shutil.copy(source, inbox / source.name)
    broken = inbox / "坏了.xlsx"
    broken.write_bytes(FAULTY.read_bytes()[:-200])  # truncated: unreadable, so no copy either
    report, returned = tmp_path / "结果" / "审核报告.xlsx", tmp_path / "退回"

    # Annotating a file fails (as openpyxl might on an odd workbook): reported, and the run goes on.
    import perfxl.outputs.annotate

    real = perfxl.outputs.annotate.annotate
    calls = []

    def flaky(result, out_dir, lang="zh", **kwargs):
        calls.append(result.path)
        if len(calls) == 1:
            raise perfxl.outputs.annotate.AnnotateError("测试用的失败")
        return real(result, out_dir, lang, **kwargs)

    monkeypatch.setattr(perfxl.outputs.annotate, "annotate", flaky)
    result = CliRunner().invoke(main, ["reconcile", str(inbox), "--report", str(report), "--annotate", str(returned),
                                       "--no-ledger", "-q"])
    assert result.exit_code == 1, result.output
    assert "测试用的失败" in result.output and len(calls) == 1  # only a file with findings gets a copy
    assert report.exists() and "已生成" in result.output
    monkeypatch.setattr(perfxl.outputs.annotate, "annotate", real)

    result = run("reconcile", inbox, "--annotate", returned, "--no-ledger", "-q")
    copies = sorted(p.name for p in returned.iterdir() if not p.name.startswith("."))
    assert copies == [FAULTY.name]  # the clean file has nothing to show
    run("reconcile", inbox, "--annotate", returned, "--no-ledger", "-q")
    assert sorted(p.name for p in returned.iterdir() if not p.name.startswith(".")) == [FAULTY.name]  # replaced


@pytest.mark.parametrize("inside", [".", "批注"])
def test_annotate_folder_among_the_submissions_is_refused(tmp_path, inside):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(FAULTY, inbox / FAULTY.name)
    result = run("reconcile", inbox, "--annotate", inbox / inside, "--no-ledger")
    assert result.exit_code == 2 and "--annotate" in result.output
    assert [p.name for p in inbox.iterdir()] == [FAULTY.name]


def test_help_language_follows_lang_or_environment():
    from perfxl.cli import HELP, help_language

    assert help_language([], {}) == "zh"
    assert help_language(["reconcile", "--lang", "en", "--help"], {}) == "en"
    assert help_language(["reconcile", "--lang=en"], {}) == "en"
    assert help_language(["status"], {"PERFXL_LANG": "en"}) == "en"
    assert help_language(["status", "--lang", "zh"], {"PERFXL_LANG": "en"}) == "zh"
    assert set(HELP["zh"]) == set(HELP["en"])


@pytest.mark.parametrize(("args", "expected", "absent"), [
    (["reconcile", "--help"], "审核收回的自评表", "Check returned tables"),
    (["reconcile", "--lang", "en", "--help"], "Check returned tables", "审核收回的自评表"),
    (["--help"], "绩效自评表", "self-evaluation tables"),
])
def test_cli_help_in_either_language(args, expected, absent):
    """Help is printed before options are parsed: the language comes from the raw arguments."""
    import subprocess
    import sys

    env = {k: v for k, v in __import__("os").environ.items() if k != "PERFXL_LANG"}
    out = subprocess.run([sys.executable, "-m", "perfxl.cli", *args], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert expected in out and absent not in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_yaml_scheme_from_template_to_batch_reconcile(tmp_path, jobs):
    """A bureau's YAML scheme: the template carries it, and reconcile (in workers too) applies it."""
    import yaml

    from perfxl.reading.xlsx import Workbook
    from perfxl.scheme import load_scheme

    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover
        import tomli as tomllib
    data = tomllib.loads(load_scheme("classic").source)
    data["name"] = "本省方案"
    scheme_file = tmp_path / "本省方案.yaml"
    scheme_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "收回" / "模板.xlsx"
    assert run("template", out, "--scheme", scheme_file, "--year", "2024").exit_code == 0
    with Workbook(out) as book:
        from perfxl.reading.template import read_template

        read = read_template(book)
        assert read.scheme.name == "本省方案"
        weight = read.layout.rows[0].cell("weight")
    import openpyxl

    filled = openpyxl.load_workbook(out)  # one weight typed: no longer a template returned blank
    filled[read.layout.sheet][weight] = 5
    filled.save(out)

    def findings(*scheme):
        report = tmp_path / "r.json"
        result = run("reconcile", out.parent, *scheme, "--jobs", jobs, "--json", report, "--no-ledger")
        assert result.exit_code in (0, 1), result.output
        data = json.loads(report.read_text(encoding="utf-8"))
        return data["scheme"], {(f["code"], f["cell"], f["expected"]) for f in data["files"][0]["findings"]}

    name, with_yaml = findings("--scheme", scheme_file)
    assert name == "本省方案"
    assert with_yaml == findings()[1]  # the same as the template's own (embedded) scheme
    assert with_yaml != findings("--scheme", "standard")[1]  # other weights: other findings


def test_every_table_of_a_file_is_named_in_the_output(tmp_path):
    """A fault in the third of four stacked tables is shown with its table; unread sheets are named."""
    corpus = Path(__file__).resolve().parent / "corpus_tables" / "files"
    out = tmp_path / "r.json"
    result = run("reconcile", corpus / "02_ebian_stacked.xlsx", corpus / "14_ebian_extra_sheets.xlsx",
                 "--json", out, "--no-ledger")
    assert result.exit_code == 1
    assert "4 张表：自评表、峨边在线、推广服务及保障安全播出、数字化建设" in result.output
    assert "[推广服务及保障安全播出] 自评表!G51" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    stacked = data["files"][0]
    assert [(t["kind"], t["title"]) for t in stacked["tables"]] == [
        ("overall", None), ("project", "峨边在线"), ("project", "推广服务及保障安全播出"), ("project", "数字化建设")]
    skipped = [(f["code"], f["sheet"]) for f in data["files"][1]["findings"]]
    assert skipped == [("SHEET_SKIPPED", "项目明细"), ("SHEET_SKIPPED", "资金支出明细")]
    assert data["files"][1]["status"] == "warnings"


def test_every_message_speaks_the_chosen_language(tmp_path, monkeypatch):
    """click's own messages included; PERFXL_LANG for all output; --lang before the command too."""
    missing = run("reconcile", tmp_path / "不存在")
    assert missing.exit_code == 2 and "错误：" in missing.output and "不存在" in missing.output
    assert "Error" not in missing.output and "Usage" not in missing.output
    english = run("--lang", "en", "reconcile", tmp_path / "nowhere")
    assert english.exit_code == 2 and "Error: Invalid value" in english.output
    monkeypatch.setenv("PERFXL_LANG", "en")
    result = run("reconcile", FAULTY, "--no-ledger")
    assert "total 97 differs from the sum of its parts 95" in result.output and "各项得分合计" not in result.output
    monkeypatch.delenv("PERFXL_LANG")
    bad = tmp_path / "名单.csv"
    bad.write_text("部门编码,部门名称\n101,\n101,区财政局\n", encoding="utf-8")
    roster = run("template", "--roster", bad, "--out-dir", tmp_path / "模板")
    assert roster.exit_code == 2 and "第 2 行：部门名称为空" in roster.output and "第 3 行" in roster.output
    assert "Usage" not in roster.output and "用法" not in roster.output  # a data error, not a mistyped command


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal")
def test_progress_on_a_terminal_shows_a_total_and_the_copies(tmp_path):
    """On a terminal (stderr a tty) progress says how many of how many, and goes on while the
    annotated copies are written."""
    import os
    import subprocess
    import sys

    inbox = tmp_path / "收回"
    inbox.mkdir()
    files = sorted(EXAMPLES.glob("*.xlsx"))[:3]
    for path in files:
        shutil.copyfile(path, inbox / path.name)
    leader, follower = os.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "perfxl.cli", "reconcile", str(inbox), "--no-ledger",
                               "--annotate", str(tmp_path / "退回")], stdout=subprocess.DEVNULL, stderr=follower,
                              timeout=300, env={**os.environ, "PERFXL_LANG": "zh"})
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    text = shown.decode("utf-8", "replace")
    assert done.returncode in (0, 1)
    assert f"已审核 {len(files)}/{len(files)} 个文件" in text and f"已审核 1/{len(files)} 个文件" in text
    copies = len(list((tmp_path / "退回").glob("*.xlsx")))
    assert copies and f"正在生成批注副本 {copies}/{copies}" in text
