#!/usr/bin/python3
"""Save workbooks through one real LibreOffice, in the formats clerks send (xlsx, xls, ods).

    /usr/bin/python3 tests/corpus_tables/lo_convert.py JOBS.json RESULTS.json

Runs under the system Python (it has ``uno``) and reuses the headless office of tests/lo_driver.py.
JOBS.json: ``[{"input": "/abs/in", "output": "/abs/out", "filter": "MS Excel 97"}, ...]``, run in
order (a job may read what an earlier job wrote). Before saving, the document's creation and
modification dates are set to a fixed moment so that rebuilt files do not change with the clock.
RESULTS.json: one ``{"input", "output", "ok", "error"}`` per job. Exit status 0 when all succeeded.
"""
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import uno
from com.sun.star.util import DateTime
from lo_driver import Office, props

FIXED = dict(Year=2025, Month=3, Day=15, Hours=9, Minutes=30, Seconds=0, NanoSeconds=0, IsUTC=False)


def fixed_time():
    stamp = DateTime()
    for key, value in FIXED.items():
        setattr(stamp, key, value)
    return stamp


def convert(office, job):
    doc = office.desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(job["input"])), "_blank", 0, props(Hidden=True))
    if doc is None:
        raise RuntimeError("LibreOffice could not load " + job["input"])
    try:
        info = doc.getDocumentProperties()
        info.Author = info.ModifiedBy = "Administrator"
        info.CreationDate = info.ModificationDate = fixed_time()
        out = os.path.abspath(job["output"])
        os.makedirs(os.path.dirname(out), exist_ok=True)
        doc.storeToURL(uno.systemPathToFileUrl(out), props(FilterName=job["filter"], Overwrite=True))
    finally:
        try:
            doc.close(True)
        except Exception:
            pass


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: /usr/bin/python3 lo_convert.py JOBS.json RESULTS.json")
    with open(argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    results = []
    office = Office()
    try:
        for job in jobs:
            result = {"input": job["input"], "output": job["output"], "ok": False, "error": None}
            try:
                if not office.alive():
                    office.stop()
                    office.start()
                convert(office, job)
                result["ok"] = True
            except Exception:
                result["error"] = traceback.format_exc()
            results.append(result)
    finally:
        office.stop()
        with open(argv[2], "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
