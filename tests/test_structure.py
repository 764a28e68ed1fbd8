"""The shape of the code: one place for each fact, no import cycles, short functions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from perfxl.codes import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "perfxl"
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """perfxl modules imported by a module, at any depth in it (deferred imports count too)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parents, base]).strip(".")
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {target for target in targets if target in modules and target != name}
    return found


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imports(path, name, modules) for name, path in modules.items()}
    # A package's __init__ re-exporting its own modules is not a cycle through them.
    for name in graph:
        graph[name] = {t for t in graph[name] if not (modules[name].name == "__init__.py" and t.startswith(name + "."))}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " → ".join([*trail, node, target]))
            if target not in state:
                visit(target, [*trail, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_no_function_is_longer_than_80_lines():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, long


def test_finding_codes_are_spelled_out_in_the_registry_only():
    pattern = re.compile(r"[\"'](" + "|".join(REGISTRY) + r")[\"']")
    strays = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "codes.py" and path.parent == PACKAGE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                strays.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not strays, strays


def test_registry_equals_the_interface_document():
    text = (ROOT / "docs" / "interface.md").read_text(encoding="utf-8")
    section = text.split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| ([A-Z_]+) \| (error|warning) \|", section, flags=re.M)
    assert documented == [(code, spec.severity) for code, spec in REGISTRY.items()]


def test_every_code_is_worded_in_both_languages():
    for code, spec in REGISTRY.items():
        assert spec.severity in ("error", "warning"), code
        assert all(spec.label) and "" in spec.messages, code
        for zh, en in spec.messages.values():
            assert re.search(r"[\u4e00-\u9fff]", zh), (code, zh)
            assert not re.search(r"（空）", en), (code, en)


def test_no_chinese_placeholder_in_english_messages():
    """A value missing from an English message reads '(empty)', never '（空）' (issue 9)."""
    from decimal import Decimal

    from perfxl.codes import render
    from perfxl.model import Finding

    rate = Finding("BUDGET_SCORE_MISMATCH", "自评表", "L4", Decimal("10"), Decimal("9"), params={"rate": None})
    overwritten = Finding("FORMULA_OVERWRITTEN", "自评表", "I49", "=SUM(L4)", None,
                          params={"what": ("total_score", {})})
    for finding in (rate, overwritten):
        assert "（空）" not in render(finding, "en") and "(empty)" in render(finding, "en")
        assert "（空）" in render(finding, "zh")


def test_readme_map_names_every_module():
    """The README's structure map is how a newcomer finds their way: every module must be on it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("代码结构", 1)[1].split("```", 2)[1]
    packages = {line.split()[0] for line in block.splitlines() if line.split() and line.split()[0].endswith("/")}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent != PACKAGE:
            if f"{path.parent.name}/" not in packages:
                missing.append(str(path.relative_to(ROOT)))
        elif path.name != "__init__.py" and not re.search(rf"(?<![\w.]){re.escape(path.name)}", block):
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules not on the README's map: {missing}"
