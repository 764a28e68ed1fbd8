"""A collection round: roster → templates → submissions under any name → reconcile → ledger → status."""

from __future__ import annotations

import json
import os
import shutil

from click.testing import CliRunner
from openpyxl import load_workbook
from samples import LIWAN_2022, input_cells
from test_roster import roster_xlsx

from perfxl.cli import main
from perfxl.collection import ledger
from perfxl.reading.template import read_template
from perfxl.reading.xlsx import Workbook
from perfxl.template.layout import SHEET


def fill(template, out, total=None, saved=None):
    """A department fills its template with a script (values only, as openpyxl saves); ``saved`` is
    the save time its program records (docProps/core.xml)."""
    with Workbook(template) as book:
        layout = read_template(book).layout
    book = load_workbook(template)
    cells = input_cells(LIWAN_2022, layout)
    if total is not None:
        cells[layout.total_score] = str(total)
    for key, text in cells.items():
        name, _, cell = key.rpartition("!")
        try:
            book[name or SHEET][cell] = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            book[name or SHEET][cell] = text
    book.save(out)
    if saved is not None:  # openpyxl stamps the time of saving: put the intended one in its place
        _set_saved(out, saved)


def _set_saved(path, saved: str) -> None:
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + saved.encode(), data)
            target.writestr(info, data)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_collection_round(tmp_path):
    names = [f"区直部门{i}" for i in range(6)]
    roster = roster_xlsx(tmp_path / "名单.xlsx", [(f"{i + 1:03d}", name, "", "", "") for i, name in enumerate(names)])
    templates = tmp_path / "模板"
    assert invoke("template", "--roster", roster, "--out-dir", templates, "--year", "2022").exit_code == 0
    manifest = json.loads((templates / "manifest.json").read_text(encoding="utf-8"))
    files = {d["code"]: templates / d["file"] for d in manifest["departments"]}
    inbox = tmp_path / "收回"
    inbox.mkdir()
    fill(files["001"], inbox / "自评表(1).xlsx")              # clean apart from not being recalculated
    fill(files["002"], inbox / "财务科发来的.xlsx", total=99)  # total typed over
    fill(files["003"], inbox / "003旧.xlsx", total=98, saved="2025-03-01T09:00:00Z")  # sent twice: the older
    fill(files["003"], inbox / "003新.xlsx", saved="2025-03-08T09:00:00Z")             # one has an error
    os.utime(inbox / "003新.xlsx", (1_700_000_000, 1_700_000_000))  # a copy made the newer file look older
    shutil.copy(tmp_path / "名单.xlsx", inbox / "不相关.xlsx")  # matches no department
    # 004, 005, 006 send nothing.

    report_dir = tmp_path / "结果"
    ledger_file = report_dir / "台账.sqlite"
    result = invoke("reconcile", inbox, "--roster", roster, "--manifest", templates / "manifest.json",
                    "--json", report_dir / "r.json", "--ledger", ledger_file)
    assert result.exit_code == 1
    assert "未提交：004 区直部门3、005 区直部门4、006 区直部门5" in result.output
    assert "重复提交：003 区直部门2" in result.output and "003旧.xlsx" in result.output
    assert "未匹配名单" in result.output and "不相关.xlsx" in result.output

    statuses = {row.code: row for row in ledger.status(ledger_file)}
    assert statuses["001"].status == "warnings"
    assert statuses["002"].status == "errors"
    assert statuses["003"].status == "warnings" and statuses["003"].submissions == 2
    assert statuses["004"].status == "not_submitted"
    assert statuses[None].status == "errors"  # the stray file holds no scoring table (UNKNOWN_LAYOUT)

    # Re-running on the same files changes nothing.
    def contents():
        with ledger.connect(ledger_file) as db:
            return (db.execute("SELECT id, sha256, status FROM submissions ORDER BY id").fetchall(),
                    db.execute("SELECT COUNT(*) FROM findings").fetchone())

    before = contents()
    assert len(before[0]) == 5
    invoke("reconcile", inbox, "--roster", roster, "--json", report_dir / "r.json", "--ledger", ledger_file)
    assert contents() == before

    # 002 fixes its total and resubmits.
    fill(files["002"], inbox / "财务科发来的.xlsx")
    invoke("reconcile", inbox, "--roster", roster, "--json", report_dir / "r.json", "--ledger", ledger_file)
    fixed = {row.code: row for row in ledger.status(ledger_file)}["002"]
    assert fixed.status == "warnings" and fixed.submissions == 2 and fixed.fixed >= 2 and fixed.new == 0
    shown = invoke("status", "--ledger", ledger_file)
    assert shown.exit_code == 0 and "较上次修正" in shown.output and "未提交" in shown.output
