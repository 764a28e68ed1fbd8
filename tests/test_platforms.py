"""Office PCs: Windows and 麒麟/统信 Linux — the spawn start method, GBK consoles, paths with spaces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from perfxl.reconcile import reconcile_file, reconcile_paths

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_batches_work_under_spawn(monkeypatch, tmp_path):
    """Windows has no fork: workers are spawned, so the task and the failure function must travel."""
    monkeypatch.setenv("PERFXL_START_METHOD", "spawn")
    files = sorted(EXAMPLES.glob("*.xls*"))
    spawned = list(reconcile_paths(files, jobs=2, timeout=60))
    assert [(r.path, r.status, r.codes()) for r in spawned] == [
        (r.path, r.status, r.codes()) for r in map(reconcile_file, files)]
    bad = tmp_path / "坏了.xlsx"
    bad.write_bytes(b"not a workbook")
    assert [r.status for r in reconcile_paths([bad], jobs=1, timeout=60)] == ["unreadable"]


def test_a_gbk_console_never_crashes(tmp_path):
    """A department name outside GBK (𠀀, an extension-B character) printed on a GBK console."""
    import openpyxl

    book = openpyxl.load_workbook(ROOT / "tests" / "corpus" / "files" / "03_lusong_total97.xlsx")
    for row in book["自评表"].iter_rows():
        for cell in row:
            if cell.value == "中国共产党株洲市芦淞区委员会宣传部":
                cell.value = "中国共产党𠀀区委员会宣传部"
    path = tmp_path / "部门 𠀀.xlsx"
    book.save(path)
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PERFXL_LEDGER": str(tmp_path / "l.sqlite")}
    done = subprocess.run([sys.executable, "-c", "from perfxl.cli import run; run()", "reconcile", str(path)],
                          capture_output=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stderr.decode("gbk", "replace")
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode("gbk")
    assert "TOTAL_MISMATCH" in text and "?" in text  # the character GBK lacks is replaced, the rest is shown


def test_paths_with_spaces_and_chinese(tmp_path):
    folder = tmp_path / "2024 年度 收回" / "区 委"
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLES / "芦淞区委宣传部_2024_总分改为97.xlsx", folder / "芦淞 区委 宣传部.xlsx")
    out = tmp_path / "结果 文件夹"
    env = {**os.environ, "PERFXL_LEDGER": str(tmp_path / "台账 文件.sqlite")}
    done = subprocess.run([sys.executable, "-c", "from perfxl.cli import run; run()", "reconcile",
                           str(tmp_path / "2024 年度 收回"), "--json", str(out / "审核 结果.json"), "--report",
                           str(out / "审核 报告"), "--annotate", str(out / "退 回")],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr.decode()
    assert (out / "审核 结果.json").is_file() and (out / "审核 报告.xlsx").is_file()
    assert (out / "退 回" / "芦淞 区委 宣传部.xlsx").is_file()
    assert (tmp_path / "台账 文件.sqlite").is_file()
