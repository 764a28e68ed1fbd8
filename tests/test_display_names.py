"""RoundOptions.display_names: files stored under other names (the web page's uploads) are shown
by the names given, in every output of the round, and the copies are still made from the stored files."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import openpyxl

from perfxl.collection.round import RoundOptions, run_round

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["芦淞区委宣传部_2024_总分改为97.xlsx", "峨边县融媒体中心_2024_整体与三个项目.xlsx", "峨边县融媒体中心_2024_自评报告.docx"]
STORED = re.compile(r"\b\d{4}\.(xlsx|docx|txt)")


def _inbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = {}
    for number, name in enumerate(NAMES, start=1):
        stored = inbox / f"{number:04d}{Path(name).suffix}"
        shutil.copyfile(EXAMPLES / name, stored)
        names[str(stored)] = f"收回/{name}"
    (inbox / "0004.txt").write_text("说明", encoding="utf-8")
    names[str(inbox / "0004.txt")] = "收回/说明.txt"
    return inbox, names


def test_every_output_shows_the_names_given(tmp_path, own_ledger):
    inbox, names = _inbox(tmp_path)
    out = tmp_path / "out"
    outcome = run_round(RoundOptions([inbox], json=out / "r.json", csv=out / "r.csv", report=out / "r.xlsx",
                                     annotate=out / "copies", display_names=names))
    assert not outcome.annotate_errors
    assert sorted(r.path for r in outcome.results) == sorted(f"收回/{name}" for name in NAMES)
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert {entry["path"] for entry in data["skipped"]} == {"收回/说明.txt"}
    cross = [f for entry in data["files"] for f in entry["findings"] if f["code"] == "CROSS_DOCUMENT_MISMATCH"]
    assert cross and all("峨边县融媒体中心_2024_自评报告.docx" in f["message"] for f in cross)
    copies = sorted(path.name for path in (out / "copies").iterdir() if not path.name.startswith("."))
    assert copies == sorted(NAMES)  # every example here has findings
    texts = {"json": json.dumps(data, ensure_ascii=False), "csv": (out / "r.csv").read_text(encoding="utf-8-sig"),
             "report": "\n".join(str(v) for sheet in openpyxl.load_workbook(out / "r.xlsx")
                                 for row in sheet.iter_rows(values_only=True) for v in row if v is not None)}
    for copy in (out / "copies").glob("*.*x"):
        with zipfile.ZipFile(copy) as archive:
            texts[copy.name] = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                                         if n.endswith(".xml"))
    with sqlite3.connect(own_ledger) as db:
        texts["ledger"] = "\n".join(db.iterdump())
    for where, text in texts.items():
        assert not STORED.findall(text), where
    review = openpyxl.load_workbook(out / "copies" / NAMES[0]).worksheets[0]  # the copy's 审核意见 sheet
    assert "文件：芦淞区委宣传部_2024_总分改为97.xlsx" in review["A3"].value
    assert "收回/芦淞区委宣传部_2024_总分改为97.xlsx" in texts["report"] and "收回/" in texts["ledger"]


def test_without_names_nothing_changes(tmp_path):
    inbox, _ = _inbox(tmp_path)
    outcome = run_round(RoundOptions([inbox], no_ledger=True))
    assert sorted(Path(r.path).name for r in outcome.results) == ["0001.xlsx", "0002.xlsx", "0003.docx"]
