"""Drive a real LibreOffice from the tests (and the example builder) through tests/lo_driver.py.

The driver runs under the system Python, which has the UNO bindings; we hand it a JSON list of
jobs and read back a JSON list of results. One call starts one soffice for all its jobs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

DRIVER = Path(__file__).with_name("lo_driver.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def missing_reason() -> str | None:
    """Why LibreOffice cannot be driven here, or None when it can."""
    if shutil.which("soffice") is None:
        return "soffice is not installed (Debian: libreoffice-calc-nogui)"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return "the system python3 cannot import uno (Debian: python3-uno)"
    return None


def require_libreoffice() -> None:
    """Skip without LibreOffice on a developer machine; fail in CI, where it must be there."""
    import pytest

    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"LibreOffice is required in CI: {reason}")
    pytest.skip(reason)


def type_ops(sheet: str, cells: dict[str, str]) -> list[dict]:
    """Type each value into its cell as a user at the keyboard would ('资金构成!C4' names another sheet)."""
    ops = []
    for key, text in cells.items():
        name, _, cell = key.rpartition("!")
        ops.append({"op": "type", "sheet": name or sheet, "cell": cell, "text": text})
    return ops


def run_jobs(jobs: list[dict], timeout: float = 900) -> list[dict]:
    """Run the jobs in one LibreOffice; returns one result per job (see lo_driver.py).

    A job whose soffice crashed (it happens now and then, headless, under load) is run once more
    in a fresh instance; a job that fails twice keeps its error.
    """
    results = _run_once(jobs, timeout)
    retry = [index for index, result in enumerate(results) if not result["ok"]]
    if retry:
        again = _run_once([jobs[index] for index in retry], timeout)
        for index, result in zip(retry, again, strict=True):
            if result["ok"]:
                result["retried"] = True
            results[index] = result
    return results


def _run_once(jobs: list[dict], timeout: float) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="perfxl-lo-") as work:
        jobs_path = Path(work) / "jobs.json"
        results_path = Path(work) / "results.json"
        jobs_path.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        completed = subprocess.run([SYSTEM_PYTHON, str(DRIVER), str(jobs_path), str(results_path)],
                                   capture_output=True, text=True, timeout=timeout)
        if not results_path.exists():
            raise RuntimeError(f"LibreOffice driver failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
        return json.loads(results_path.read_text(encoding="utf-8"))
