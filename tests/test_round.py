"""A collection round never loses or misattributes work (ledger, superseded files, outputs, signals)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_collect import fill

from perfxl.cli import main
from perfxl.collection import ledger
from perfxl.collection.round import RoundOptions, run_round
from perfxl.scheme import load_scheme
from perfxl.template.roster import Department, write_roster_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FAULTY = EXAMPLES / "芦淞区委宣传部_2024_总分改为97.xlsx"
CLEAN = EXAMPLES / "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def round_folder(tmp_path):
    """模板/ with three departments' templates and manifest, 收回/ beside it, and the roster."""
    departments = [Department(i + 2, f"10{i}", f"区直部门{i}", {}) for i in range(3)]
    entries = write_roster_templates(departments, tmp_path / "模板", load_scheme("standard"), 2024).entries
    roster = tmp_path / "名单.csv"
    roster.write_text("部门编码,部门名称\n" + "".join(f"{d.code},{d.name}\n" for d in departments), encoding="utf-8")
    (tmp_path / "收回").mkdir()
    return tmp_path, entries, roster


def test_outputs_inside_an_input_folder_are_refused(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(CLEAN, inbox / "a.xlsx")
    for flag, value in (("--json", inbox / "r.json"), ("--csv", inbox / "sub" / "r.csv"),
                        ("--report", inbox / "报告.xlsx"), ("--annotate", inbox / "退回")):
        result = invoke("reconcile", inbox, flag, value)
        assert result.exit_code == 2 and "待审核的文件夹" in result.output, (flag, result.output)
    assert sorted(p.name for p in inbox.iterdir()) == ["a.xlsx"]
    # Beside a file given as input is fine: only folders given as input are protected.
    assert invoke("reconcile", inbox / "a.xlsx", "--annotate", inbox / "退回").exit_code == 0
    # A report name without .xlsx gets it.
    assert invoke("reconcile", inbox / "a.xlsx", "--report", tmp_path / "报告").exit_code == 0
    assert (tmp_path / "报告.xlsx").is_file() and not (tmp_path / "报告").exists()


def test_a_rerun_reads_only_what_changed(tmp_path, own_ledger):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for index in range(6):
        shutil.copy(FAULTY if index % 2 else CLEAN, inbox / f"{index}.xlsx")
    first = run_round(RoundOptions([inbox], json=tmp_path / "1.json", timeout=None))
    assert first.reused == 0 and first.ledger == own_ledger
    again = run_round(RoundOptions([inbox], json=tmp_path / "2.json", timeout=None))
    assert again.reused == 6
    one, two = (json.loads((tmp_path / name).read_text(encoding="utf-8")) for name in ("1.json", "2.json"))
    assert one["files"] == two["files"] and one["summary"] == two["summary"]
    shutil.copy(CLEAN, inbox / "1.xlsx")  # a department sends a file whose content was checked before
    third = run_round(RoundOptions([inbox], timeout=None))
    assert third.reused == 6 and [r.status for r in third.results][1] == "clean"
    assert third.results[1].path == str(inbox / "1.xlsx")  # the result is this file's, wherever it lies
    (inbox / "2.xlsx").write_bytes(FAULTY.read_bytes() + b"\0")  # new content: read again
    assert run_round(RoundOptions([inbox], timeout=None)).reused == 5
    forced = run_round(RoundOptions([inbox], scheme="classic", timeout=None))
    assert forced.reused == 0  # another scheme forced on every file is another check


def test_superseded_submissions_count_nowhere(round_folder):
    folder, entries, roster = round_folder
    inbox, templates = folder / "收回", folder / "模板"
    fill(templates / entries[0].file, inbox / "第一版.xlsx", total=99, saved="2025-03-01T08:00:00Z")
    fill(templates / entries[0].file, inbox / "第二版.xlsx", saved="2025-03-09T08:00:00Z")
    shutil.copy2(inbox / "第二版.xlsx", inbox / "z.tmp")
    os.replace(inbox / "z.tmp", inbox / "第二版.xlsx")
    os.utime(inbox / "第一版.xlsx", None)  # the older version copied last: file time says newest
    out = folder / "结果"
    result = invoke("reconcile", inbox, "--roster", roster, "--json", out / "r.json", "--csv", out / "r.csv",
                    "--annotate", out / "退回")
    assert result.exit_code == 0, result.output  # the errors of the superseded version do not count
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert by_name["第一版.xlsx"]["superseded_by"].endswith("第二版.xlsx")
    assert by_name["第二版.xlsx"]["superseded_by"] is None
    assert data["summary"]["files"] == 1 and data["summary"]["with_errors"] == 0
    import csv

    with (out / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert not [row for row in rows if "第一版" in row["文件"] and row["代码"]]  # no findings of the old file
    assert [row["说明"] for row in rows if "第一版" in row["文件"]] == [f"重复提交：已被 {inbox / '第二版.xlsx'} 替换"]
    assert data["round"]["duplicates"] == [{"code": "100", "name": "区直部门0", "chosen": str(inbox / "第二版.xlsx"),
                                            "superseded": [str(inbox / "第一版.xlsx")], "replaced": []}]
    assert [entry["code"] for entry in data["round"]["missing"]] == ["101", "102"]
    assert "第一版.xlsx" not in {p.name for p in (out / "退回").iterdir()}
    assert "已被同一部门更新的提交替换、不计入结果的文件 1 个：第一版.xlsx" in result.output
    assert "TOTAL_MISMATCH" not in result.output


def test_the_annotate_folder_mirrors_the_round(tmp_path):
    inbox, returned = tmp_path / "收回", tmp_path / "退回"
    inbox.mkdir()
    shutil.copy(FAULTY, inbox / "a.xlsx")
    shutil.copy(FAULTY, inbox / "b.xlsx")
    invoke("reconcile", inbox, "--annotate", returned, "--no-ledger")
    assert {p.name for p in returned.iterdir()} == {"a.xlsx", "b.xlsx", ".perfxl-copies.json"}
    (returned / "说明.txt").write_text("a clerk's own note", encoding="utf-8")
    shutil.copy(FAULTY, returned / "c.xlsx")  # a file perfxl did not write, under a copy's kind of name
    shutil.copy(CLEAN, inbox / "b.xlsx")  # b sends a corrected file: it needs no copy any more
    result = invoke("reconcile", inbox, "--annotate", returned, "--no-ledger")
    assert "删除不再适用的旧副本 1 份" in result.output
    assert {p.name for p in returned.iterdir()} == {"a.xlsx", "c.xlsx", "说明.txt", ".perfxl-copies.json"}


def test_manifest_is_found_beside_the_templates_or_through_the_ledger(round_folder, own_ledger):
    folder, entries, roster = round_folder
    inbox, templates = folder / "收回", folder / "模板"
    fill(templates / entries[0].file, inbox / "renamed.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(inbox / "renamed.xlsx")
    book["自评表"]["D2"] = "改了名字的部门"  # matching by name fails; the template id still matches
    book.save(inbox / "renamed.xlsx")
    result = invoke("reconcile", inbox, "--roster", roster)
    assert "未找到模板清单" not in result.output and "未匹配名单" not in result.output
    moved = folder / "归档" / "2024年度" / "模板"
    moved.parent.mkdir(parents=True)
    shutil.move(str(templates), moved)  # the templates are archived far away: not beside the inbox any more
    result = invoke("reconcile", inbox, "--roster", roster)
    assert "未找到模板清单" in result.output and "未匹配名单" in result.output  # name matching alone fails
    assert invoke("reconcile", inbox, "--roster", roster, "--manifest", moved / "manifest.json").exit_code in (0, 1)
    again = invoke("reconcile", inbox, "--roster", roster)
    assert "未找到模板清单" not in again.output and "未匹配名单" not in again.output
    shown = invoke("status")  # the default ledger, straight after the round
    assert shown.exit_code == 0 and "区直部门0" in shown.output
    # 区直部门0 changed the name the bureau prefilled: an error (PREFILLED_VALUE_CHANGED), matched all the same.
    assert "合计 3 个部门：有错误 1，未提交 2；另有未匹配名单的提交 1 个" in shown.output


def test_ctrl_c_keeps_finished_files_and_writes_no_output(tmp_path, monkeypatch, own_ledger):
    import perfxl.collection.round as round_module

    inbox = tmp_path / "收回"
    inbox.mkdir()
    for index in range(4):
        shutil.copy(CLEAN, inbox / f"{index}.xlsx")
        fill_marker = inbox / f"{index}.xlsx"
        fill_marker.write_bytes(fill_marker.read_bytes() + b"\0" * index)  # four different contents
    real = round_module.reconcile_files

    def interrupted(files, *args, **kwargs):
        for count, result in enumerate(real(files, *args, **kwargs)):
            if count == 2:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(round_module, "reconcile_files", interrupted)
    result = invoke("reconcile", inbox, "--json", tmp_path / "r.json", "--report", tmp_path / "r.xlsx")
    assert result.exit_code == 130 and "已中断" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "r.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with ledger.connect(own_ledger) as db:
        assert db.execute("SELECT COUNT(*) FROM checked").fetchone()[0] == 2


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_leaves_no_worker_and_keeps_finished_files(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for index in range(60):
        target = inbox / f"{index:03d}.xlsx"
        target.write_bytes(CLEAN.read_bytes() + b"\0" * index)
    ledger_file = tmp_path / "台账.sqlite"
    marker = f"perfxl-kill-test-{os.getpid()}"
    code = ("import sys, time; import perfxl.reconcile as r; real = r.reconcile_file\n"
            "def slow(path, scheme=None):\n    time.sleep(0.2)\n    return real(path, scheme)\n"
            "r.reconcile_file = slow\nfrom perfxl.cli import main\n"
            f"main(['reconcile', sys.argv[1], '--jobs', '2', '--ledger', sys.argv[2], '-q'])  # {marker}")
    process = subprocess.Popen([sys.executable, "-c", code, str(inbox), str(ledger_file)], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _checked(ledger_file) < 6:
        time.sleep(0.2)
    assert _checked(ledger_file) >= 6, "the run should have recorded files before the kill"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _survivors(marker):
        time.sleep(0.2)
    assert _survivors(marker) == []
    assert 6 <= _checked(ledger_file) < 60


def _checked(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with ledger.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM checked").fetchone()[0]
    except Exception:
        return 0


def _survivors(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_two_runs_at_once_share_one_ledger(tmp_path):
    ledger_file = tmp_path / "台账.sqlite"
    processes = []
    for name in ("甲", "乙"):
        inbox = tmp_path / name
        inbox.mkdir()
        for index in range(8):
            (inbox / f"{index}.xlsx").write_bytes(FAULTY.read_bytes() + name.encode() + b"\0" * index)
        processes.append(subprocess.Popen([sys.executable, "-m", "perfxl.cli", "reconcile", str(inbox), "--ledger",
                                           str(ledger_file), "-q"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE))
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 1, errors.decode()
    assert _checked(ledger_file) == 16
    with ledger.connect(ledger_file) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 16


def test_prefilled_values_are_locked_and_checked(tmp_path):
    """The bureau prefills 全年预算数 1290.2 and 全年执行数 1290.2; a department raises the execution
    to 1350.5 (rate 95.53% → 100%, score 9.55 → 10): reported at its cell, whatever else adds up."""
    import openpyxl

    from perfxl.reconcile import reconcile_file

    roster = tmp_path / "名单.csv"
    roster.write_text("部门编码,部门名称,全年预算数,全年执行数\n101,区委宣传部,1290.2,1290.2\n"
                      "102,中国共产党株洲市芦淞区委员会宣传部,642.01,600\n", encoding="utf-8")
    assert invoke("template", "--roster", roster, "--out-dir", tmp_path / "模板", "--year", "2024").exit_code == 0
    issued = next((tmp_path / "模板").glob("101_*.xlsx"))
    sheet = openpyxl.load_workbook(issued)["自评表"]
    assert sheet["F4"].value == 1290.2 and sheet["F4"].protection.locked and sheet["H4"].protection.locked
    assert sheet["G4"].protection.locked  # the merged partner too
    assert sheet["C9"].protection.locked is False  # inputs stay open
    assert not [f for f in reconcile_file(issued).findings if f.code == "PREFILLED_VALUE_CHANGED"]
    book = openpyxl.load_workbook(issued)
    book["自评表"]["H4"] = 1350.5
    book["自评表"]["D2"] = "区委宣传部（改）"
    changed = tmp_path / "收回" / "101.xlsx"
    changed.parent.mkdir()
    book.save(changed)
    found = {(f.cell, f.expected, f.found) for f in reconcile_file(changed).findings
             if f.code == "PREFILLED_VALUE_CHANGED"}
    assert found == {("H4", Decimal("1290.2"), Decimal("1350.5")), ("D2", "区委宣传部", "区委宣传部（改）")}
    # A hand-made form matched to the roster by name: its amounts are compared with the roster's.
    shutil.copy(ROOT / "tests" / "corpus" / "files" / "01_lusong_2024_published.xlsx", tmp_path / "收回" / "102.xlsx")
    out = tmp_path / "r.json"
    invoke("reconcile", tmp_path / "收回", "--roster", roster, "--json", out, "--no-ledger")
    data = {Path(f["path"]).name: f for f in json.loads(out.read_text(encoding="utf-8"))["files"]}
    form = [(f["code"], f["expected"], f["found"]) for f in data["102.xlsx"]["findings"]
            if f["code"] == "PREFILLED_VALUE_CHANGED"]
    assert form == [("PREFILLED_VALUE_CHANGED", 600, 642.01)]


def test_copies_are_made_by_the_workers_in_a_parallel_round(tmp_path):
    """--jobs 2: the annotated copies come from the supervised workers, under the names a serial round
    would give them (two files of one name in different folders: 'x.xlsx' and 'x (2).xlsx')."""
    inbox = tmp_path / "收回"
    (inbox / "甲").mkdir(parents=True)
    (inbox / "乙").mkdir()
    for folder in ("甲", "乙"):
        shutil.copy(FAULTY, inbox / folder / "自评表.xlsx")
    shutil.copy(ROOT / "examples" / "峨边县融媒体中心_2024_自评报告.docx", inbox / "报告.docx")
    serial = run_round(RoundOptions([inbox], annotate=tmp_path / "一", no_ledger=True, jobs=1))
    parallel = run_round(RoundOptions([inbox], annotate=tmp_path / "二", no_ledger=True, jobs=2))
    assert sorted(p.name for p in serial.annotated) == sorted(p.name for p in parallel.annotated) == [
        "报告.docx", "自评表 (2).xlsx", "自评表.xlsx"]
    assert parallel.annotate_errors == []
    for copy in parallel.annotated:
        assert copy.read_bytes()[:2] == b"PK" and copy.stat().st_size > 1000
