"""The fixture corpus of hand-made standard forms (tests/corpus, built by build_corpus.py).

Each file imitates how clerks lay out the 自评表 (offsets, cover sheets, merged cells, text numbers,
synonyms and typos in headers), some saved by LibreOffice; expected.json lists every finding.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from perfxl.outputs.files import finding_to_dict
from perfxl.reconcile import reconcile_file

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def _key(finding: dict) -> tuple:
    return (finding["code"], finding["cell"], _norm(finding["expected"]), _norm(finding["found"]))


def _norm(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return value


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name):
    expected = EXPECTED[name]
    result = reconcile_file(CORPUS / "files" / name)
    got = sorted((_key(finding_to_dict(f)) for f in result.findings), key=str)
    want = sorted((_key(f) for f in expected["findings"]), key=str)
    assert got == want
    assert result.layout == expected["layout"]
    if expected.get("scheme"):
        assert result.scheme == expected["scheme"]
    if expected.get("department"):
        assert result.department == expected["department"]
    for key in ("declared_total", "computed_total"):
        if expected.get(key) is not None:
            assert _norm(float(getattr(result, key))) == _norm(expected[key]), key


def test_clean_files_are_clean():
    clean = [name for name, entry in EXPECTED.items() if not entry["findings"]]
    assert len(clean) >= 5
    for name in clean:
        assert reconcile_file(CORPUS / "files" / name).status == "clean", name
