"""The pure per-file function maps over Dask's local scheduler with the same results."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from perfxl.outputs.files import file_to_dict
from perfxl.reconcile import reconcile_paths

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
pytest.importorskip("dask", reason="optional extra: pip install 'perfxl[cluster]'")

from dask_reconcile import reconcile_with_dask  # noqa: E402


@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_dask_gives_the_same_results_as_reconcile(scheduler):
    expected = [file_to_dict(result) for result in reconcile_paths([ROOT / "examples"])]
    assert reconcile_with_dask([str(ROOT / "examples")], scheduler=scheduler, partitions=3) == expected
    assert any(f["code"] == "TOTAL_MISMATCH" for entry in expected for f in entry["findings"])
