"""Write each published report of ../shared/seeds as a plain .docx: one paragraph per line of text.

    .venv/bin/python tests/seed_reports/build_seed_reports.py

The seeds are the text of real published self-evaluation reports (their tables flattened to lines):
as Word files they are what perfxl meets when a department sends its report with the tables pasted
as pictures or sent separately. Fixed document dates make a rebuild give the same bytes.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2] / "shared" / "seeds"


def build(seed: Path, target: Path) -> None:
    document = docx.Document()
    for line in seed.read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    properties = document.core_properties
    properties.created = properties.modified = datetime(2025, 1, 1, tzinfo=timezone.utc)
    properties.author = properties.last_modified_by = "perfxl tests"
    properties.revision = 1
    document.save(target)


def main() -> None:
    if not SEEDS.is_dir():
        sys.exit(f"no seeds at {SEEDS}")
    for seed in sorted(SEEDS.glob("*.txt")):
        build(seed, HERE / (seed.stem + ".docx"))
        print(seed.stem)


if __name__ == "__main__":
    main()
