"""Rebuild the README's screenshot of the web page (docs/img/web-page.png) in a real Chromium.

Needs Debian's chromium and chromium-driver (bash .ci/install-system). The browser test that drives
the page takes it after reviewing the bundled examples; this runs just that test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    env = {**os.environ, "PERFXL_WEB_SCREENSHOT": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/test_web.py::test_screenshot_of_the_page_with_results"]
    done = subprocess.run(command, cwd=ROOT, env=env)
    if done.returncode == 0:
        print(f"wrote {ROOT / 'docs' / 'img' / 'web-page.png'}", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
