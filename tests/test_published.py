"""Scoring tables as departments really publish them (tests/published, built by build_published.py).

Each file is a grid transcribed from a published 项目支出 / 部门整体支出绩效自评表 (or a variant derived
from one, marked as such); expected.json says what a careful reviewer reports for it
(tests/published/README.md gives the sources and the conventions). One test per file compares
everything ``reconcile_file`` says about it: layout, format, scheme, every table, every finding.

Files perfxl does not read right yet are listed in ``XFAIL`` with the failure class of issue 17;
the mark is strict, so an entry must go as soon as perfxl reads that file right.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from corpus_compare import diff, finding_key, table_key
from lo import missing_reason, require_libreoffice

from perfxl.reconcile import reconcile_file

ROOT = Path(__file__).resolve().parent / "published"
EXPECTED = json.loads((ROOT / "expected.json").read_text(encoding="utf-8"))
sys.path.insert(0, str(ROOT))

#: file name → the failure class that perfxl misreads today (remove an entry once perfxl reads it right).
XFAIL = {
    "14_ningxia_yinchuan_four_part.xlsx": "four-part scheme 决策10/管理25/产出30/效益35 (UNKNOWN_LAYOUT today)",
    **{f"15_yunnan_yongde_nutrition.{ext}": "two header rows (年度指标值 over 指标性质/指标值/度量单位) with operators ≧/═; "
       "scheme 产出40/效益30/满意度20 + 预算执行10 not shipped; grade in the 总分 row (UNKNOWN_LAYOUT today)"
       for ext in ("xlsx", "xls", "ods")},
    **{f"16_yunnan_baoshan_veterans.{ext}": "20/80 form without a 分值 column: weights only in the first-level labels, "
       "budget weight in '预算执行情况(万元)(20分)', grade beside 总分 (UNKNOWN_LAYOUT today)" for ext in ("xlsx", "docx")},
    **{f"17_shanxi_jishan_insurance.{ext}": "rate forms: in .xls/.ods the '0%' format of the typed 99% is not read "
       "(python-calamine gives no number formats), so 99% is taken as the exact fraction 0.99 and 65.07/65.66 = 99.10% "
       "is reported as an EXECUTION_RATE_MISMATCH the shown percentage does not support" for ext in ("xls", "ods")},
    **{f"19_yunnan_lijiang_satellite.{ext}": "two header rows (年度指标值 over 指标性质/指标值/度量单位) with the operator '﹦' "
       "(UNKNOWN_LAYOUT today)" for ext in ("xlsx", "xls", "ods")},
    "21_hubei_huangshi_library.xlsx": "20/80 form without a 分值 column, one score per 二级指标 merged over its rows "
                                      "(UNKNOWN_LAYOUT today)",
}


@functools.cache
def _result(name: str):
    return reconcile_file(ROOT / "files" / name)


def _params():
    for name in sorted(EXPECTED):
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_params()))
def test_file(name):
    expected = EXPECTED[name]
    result = _result(name)
    got = Counter(finding_key(f.code, f.sheet, f.cell, f.expected, f.found) for f in result.findings)
    want = Counter(finding_key(f["code"], f["sheet"], f["cell"], f["expected"], f["found"])
                   for f in expected["findings"])
    assert got == want, diff(got, want)
    assert [table_key(lambda field, t=t: getattr(t, field)) for t in result.tables] == \
        [table_key(lambda field, t=t: t[field]) for t in expected["tables"]]
    assert (result.layout, result.format, result.scheme) == \
        (expected["layout"], expected["format"], expected["scheme"])


def test_xfail_list_names_files():
    assert set(XFAIL) <= set(EXPECTED)


def test_corpus_is_complete():
    """expected.json and files/ describe the same files; every table has an xlsx; the formats are there."""
    assert sorted(EXPECTED) == sorted(p.name for p in (ROOT / "files").iterdir())
    stems = sorted(p.stem for p in (ROOT / "tables").glob("*.json"))
    assert stems == sorted({entry["table"] for entry in EXPECTED.values()})
    formats = Counter(entry["format"] for entry in EXPECTED.values())
    assert formats["xlsx"] == len(stems) and formats["xls"] >= 8 and formats["ods"] >= 8 and formats["docx"] >= 5


@pytest.mark.parametrize("path", sorted((ROOT / "tables").glob("*.json")), ids=lambda p: p.stem)
def test_table_is_a_clean_grid(path):
    """Rectangular rows of text/number/null, merges inside the grid and disjoint, nothing under a merge,
    a source, and every reconstructed cell or derivation said so."""
    import build_published

    data = json.loads(path.read_text(encoding="utf-8"))
    grid = build_published.Grid(path.stem, data)
    assert build_published.check_grid(grid) == []
    assert set(data["source"]) >= {"url", "title", "publisher", "date", "province"}
    assert data["kind"] in ("project", "overall")
    derived = data["derived_from"]
    assert derived is None or (derived["table"] and derived["changed"])
    for ref in data.get("reconstructed", {}).get("cells", []):
        assert grid.raw(ref) is not None, ref
    assert path.stem[:2].isdigit() and path.stem.split("_")[1] in {
        "sichuan", "anhui", "hunan", "ningxia", "yunnan", "guangdong", "hubei", "guizhou", "jiangxi", "neimenggu",
        "shanxi", "hebei"}


def test_rebuild_is_byte_identical(tmp_path):
    """build_published.py gives the committed files and expected.json byte for byte (the LibreOffice
    saves only where LibreOffice is installed; in CI it must be)."""
    with_lo = missing_reason() is None
    if not with_lo:
        require_libreoffice()  # fails under CI=true
    args = [sys.executable, str(ROOT / "build_published.py"), "--out", str(tmp_path)]
    if not with_lo:
        args.append("--no-libreoffice")
    subprocess.run(args, check=True, capture_output=True, timeout=600, env={**os.environ})
    made = {p.name for p in tmp_path.iterdir()}
    committed = {p.name for p in (ROOT / "files").iterdir()}
    skipped = {name for name in committed if name.endswith((".xls", ".ods"))} if not with_lo else set()
    assert made == (committed - skipped) | {"expected.json"}
    for name in sorted(made - {"expected.json"}):
        assert (tmp_path / name).read_bytes() == (ROOT / "files" / name).read_bytes(), name
    # The expectations do not depend on LibreOffice: expected.json is always written whole.
    assert (tmp_path / "expected.json").read_bytes() == (ROOT / "expected.json").read_bytes()


def test_readme_status_follows_the_xfail_list():
    """The corpus README's status column says which files perfxl reads right: it must not go stale."""
    import re

    rows = 0
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `(\d\d_[a-z_]+)(\.xlsx)?` ((?:`\.[a-z]+` ?)*)\|", line)
        if not match:
            continue
        rows += 1
        exts = [match.group(2)[1:]] if match.group(2) else re.findall(r"`\.([a-z]+)`", match.group(3))
        bad = [ext for ext in exts if f"{match.group(1)}.{ext}" in XFAIL]
        status = line.rstrip(" |").rsplit("|", 1)[1].strip()
        if not bad:
            assert status == "passes", line
        elif len(bad) == len(exts):
            assert status == "xfail", line
        else:
            assert status.startswith("passes (") and all(f".{ext}" in status.split("xfail")[1] for ext in bad), line
    assert rows >= len({name.split(".")[0] for name in EXPECTED})
