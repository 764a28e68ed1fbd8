"""Reconcile a folder with Dask: the per-file work is a pure function, so a cluster can map it.

    python examples/dask_reconcile.py examples/ [--scheduler processes]

`perfxl.reconcile.reconcile_file(path) -> FileResult` reads one workbook and returns plain data; it
never writes. Mapping it with `dask.bag` over a list of paths works the same on the local scheduler,
a `dask.distributed` cluster, or over object storage (copy each object to a local temporary file
with fsspec inside the mapped function, then call reconcile_file). Results are turned into the
contract's JSON entries with `perfxl.outputs.files.file_to_dict`.
"""

from __future__ import annotations

import argparse
import json
import sys

import dask.bag as db

from perfxl.outputs.files import Summary, file_to_dict
from perfxl.reconcile import discover, reconcile_file


def reconcile_with_dask(paths: list[str], scheduler: str = "processes", partitions: int = 8) -> list[dict]:
    """The contract's JSON entry of every workbook under ``paths``, computed by Dask."""
    files = [str(path) for path in discover(paths).files]
    if not files:
        return []
    bag = db.from_sequence(files, npartitions=min(partitions, len(files)))
    return bag.map(reconcile_file).map(file_to_dict).compute(scheduler=scheduler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--scheduler", default="processes", choices=["processes", "threads", "synchronous"])
    args = parser.parse_args()
    entries = reconcile_with_dask(args.paths, args.scheduler)
    summary = Summary()
    for entry in entries:
        summary.statuses[entry["status"]] += 1
        summary.files += 1
        summary.codes.update(f["code"] for f in entry["findings"])
    json.dump({"summary": summary.to_dict(), "files": entries}, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
