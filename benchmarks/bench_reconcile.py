"""Benchmark: perfxl reconcile against the naive openpyxl double load and a raw calamine read.

    python benchmarks/bench_reconcile.py [--n 2000] [--jobs 1 2] [--keep DIR]

Generates N realistic filled workbooks (perfxl templates and hand-made standard forms, saved by
LibreOffice with cached values when it is available), then measures on the same files in the same
run, each in a fresh process so that peak memory is its own:
  (a) `perfxl reconcile DIR --json --csv` end to end, with each --jobs value,
  (b) the naive baseline: every file opened twice with openpyxl (formulas, then cached values),
  (c) a raw value read of every sheet with python-calamine.
It prints workbooks per second, the ratios, peak memory, and the memory at N/4 vs N (flatness),
and the template generation rate. Nothing here is a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def build_corpus(folder: Path, n: int) -> list[Path]:
    """N files: round-robin copies of a few base workbooks, each saved as a spreadsheet program saves."""
    from standard_forms import seed_003_workbook

    bases = sorted((ROOT / "examples").glob("*.xlsx"))
    forms = folder / "_forms"
    forms.mkdir()
    made = [seed_003_workbook(forms / "seed003.xlsx"), seed_003_workbook(forms / "seed003_97.xlsx", total=99)]
    try:
        from lo import missing_reason, run_jobs

        if missing_reason() is None:
            jobs = [{"input": str(p), "output": str(p.with_name(p.stem + "_lo.xlsx")), "ops": []} for p in made]
            run_jobs(jobs)
            made = [Path(job["output"]) for job in jobs]
    except Exception as exc:  # LibreOffice is optional here; openpyxl-saved forms still count
        print(f"(standard forms saved by openpyxl: {exc})")
    bases += made
    data = folder / "files"
    data.mkdir()
    files = []
    for index in range(n):
        base = bases[index % len(bases)]
        target = data / f"{index:05d}_{base.name}"
        shutil.copyfile(base, target)
        files.append(target)
    shutil.rmtree(forms)
    return files


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints JSON with 'seconds'; add its peak RSS."""
    wrapper = textwrap.dedent("""
        import json, resource, sys, time
        started = time.perf_counter()
        exec(compile(sys.argv[1], "<bench>", "exec"))
        seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": seconds, "peak_mb": max(own, children) / 1024}))
    """)
    out = subprocess.run([sys.executable, "-c", wrapper, code, *args], capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


PERFXL = """
from perfxl.cli import main
ledger = sys.argv[6] if len(sys.argv) > 6 else None
try:
    main(["reconcile", sys.argv[2], "--json", sys.argv[3], "--csv", sys.argv[4], "--jobs", sys.argv[5], "-q",
          *(["--ledger", ledger] if ledger else ["--no-ledger"])])
except SystemExit:
    pass
"""
OPENPYXL = """
from pathlib import Path
from openpyxl import load_workbook
for path in sorted(Path(sys.argv[2]).glob("*.xlsx")):
    formulas = load_workbook(path)
    values = load_workbook(path, data_only=True)
"""
CALAMINE = """
from pathlib import Path
from python_calamine import CalamineWorkbook
for path in sorted(Path(sys.argv[2]).glob("*.xlsx")):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
"""
TEMPLATES = """
from decimal import Decimal
from perfxl.template.roster import Department, write_roster_templates
from perfxl.scheme import load_scheme
departments = [Department(i + 2, f"{i:04d}", f"区直部门{i}", {"budget": Decimal("642.01")})
               for i in range(int(sys.argv[3]))]
write_roster_templates(departments, sys.argv[2], load_scheme("standard"), 2024)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--baseline-n", type=int, default=200,
                        help="files for the slow openpyxl baseline (it is extrapolated per file)")
    parser.add_argument("--templates", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="keep the generated files here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="perfxl-bench-"))
    try:
        print(f"generating {args.n} workbooks …", flush=True)
        files = build_corpus(work, args.n)
        data = files[0].parent
        small = work / "small"
        small.mkdir()
        for path in files[: args.baseline_n]:
            os.link(path, small / path.name)
        quarter = work / "quarter"
        quarter.mkdir()
        for path in files[: max(1, args.n // 4)]:
            os.link(path, quarter / path.name)

        rows = []
        for jobs in args.jobs:
            result = measure(PERFXL, str(data), str(work / "r.json"), str(work / "r.csv"), str(jobs))
            rows.append((f"perfxl reconcile --jobs {jobs}", args.n, result))
        ledger = str(work / "ledger.sqlite")
        first = measure(PERFXL, str(data), str(work / "l.json"), str(work / "l.csv"), "1", ledger)
        rerun = measure(PERFXL, str(data), str(work / "l.json"), str(work / "l.csv"), "1", ledger)
        rows += [("first run, ledger on (--jobs 1)", args.n, first), ("re-run, unchanged inbox", args.n, rerun)]
        flat = measure(PERFXL, str(quarter), str(work / "q.json"), str(work / "q.csv"), "1")
        openpyxl = measure(OPENPYXL, str(small))
        calamine = measure(CALAMINE, str(data))
        rows += [(f"openpyxl load ×2 (first {args.baseline_n})", args.baseline_n, openpyxl),
                 ("python-calamine raw read", args.n, calamine)]

        print(f"\n{'measurement':<38}{'files':>7}{'seconds':>10}{'files/s':>10}{'peak MB':>10}")
        for name, count, result in rows:
            rate = count / result["seconds"]
            print(f"{name:<38}{count:>7}{result['seconds']:>10.2f}{rate:>10.1f}{result['peak_mb']:>10.1f}")
        per_file = {name: result["seconds"] / count for name, count, result in rows}
        single = per_file["perfxl reconcile --jobs 1"] if 1 in args.jobs else min(
            v for k, v in per_file.items() if k.startswith("perfxl"))
        openpyxl_per = openpyxl["seconds"] / args.baseline_n
        calamine_per = calamine["seconds"] / args.n
        print(f"\nperfxl (--jobs 1) vs openpyxl double load: {openpyxl_per / single:.1f}× faster  (target ≥ 5×)")
        print(f"perfxl (--jobs 1) vs calamine raw read:     {single / calamine_per:.2f}× the time  (target ≤ 3×)")
        print(f"re-run of an unchanged inbox vs first run: {first['seconds'] / rerun['seconds']:.1f}× faster "
              "(target ≥ 5×)")
        for jobs in args.jobs:
            if jobs > 1 and 1 in args.jobs:
                print(f"--jobs {jobs} speed-up over --jobs 1: {single / per_file[f'perfxl reconcile --jobs {jobs}']:.2f}×")
        if 1 in args.jobs:
            full_peak = dict((name, r) for name, _, r in rows)["perfxl reconcile --jobs 1"]["peak_mb"]
            print(f"peak memory, --jobs 1: {flat['peak_mb']:.1f} MB at N={max(1, args.n // 4)}, "
                  f"{full_peak:.1f} MB at N={args.n}")

        out = work / "templates"
        out.mkdir()
        made = measure(TEMPLATES, str(out), str(args.templates))
        print(f"template generation: {args.templates / made['seconds']:.0f} templates/s  (target ≥ 200)")
        if args.keep:
            shutil.copytree(data, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
