"""Every test gets its own default ledger: a run never writes into the checkout or shares state."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFXL_LEDGER", str(tmp_path / "perfxl-ledger.sqlite"))
    return tmp_path / "perfxl-ledger.sqlite"
