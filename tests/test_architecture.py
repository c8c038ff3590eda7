"""The shape of the code, checked: stages import only earlier stages, no import cycle, short
modules and functions. ARCHITECTURE.md describes the same order."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "evsynth"
# Every package of evsynth in pipeline order: a module may import its own package and earlier ones.
ORDER = ["core", "load", "validate", "synthesis", "cite", "render", "publish", "tools", "pipeline", "cli"]
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 50


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path, name: str) -> set[str]:
    """The evsynth modules `path` imports, at any level of the file (lazy imports count)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("evsynth")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            if base.startswith("evsynth"):
                found |= {f"{base}.{a.name}" for a in node.names} | {base}
    known = modules()
    return {m for m in found if m in known and m != name}


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "evsynth"


def graph() -> dict[str, set[str]]:
    return {name: imports(path, name) for name, path in modules().items()}


def test_every_module_belongs_to_a_stage() -> None:
    strays = [m for m in modules() if stage(m) not in ORDER and m != "evsynth"]
    assert strays == [], "place these modules in a stage package (see ARCHITECTURE.md)"


def test_stages_import_only_their_own_and_earlier_stages() -> None:
    climbing = [
        (m, i)
        for m, deps in graph().items()
        for i in deps
        if stage(m) in ORDER and stage(i) in ORDER and ORDER.index(stage(i)) > ORDER.index(stage(m))
    ]
    assert climbing == []


def test_there_is_no_import_cycle() -> None:
    g = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(g[node]):
            if state.get(dep) == 1:
                cycles.append(trail[trail.index(dep) :] + [dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_only_load_and_publish_touch_the_disk() -> None:
    """Reading and writing files (open, read_text, write_text, mkdir...) happen in load and publish."""
    calls = {
        "open",
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "mkdir",
        "rmtree",
        "unlink",
        "copytree",
        "rename",
        "glob",
        "rglob",
        "iterdir",
    }
    allowed = {"load", "publish", "cli", "tools", "pipeline"}
    found = []
    for name, path in modules().items():
        if stage(name) in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if called in calls:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {called}")
    assert found == []


def test_modules_and_functions_are_short() -> None:
    long_modules = [
        f"{p.relative_to(ROOT)}: {n}"
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    long_functions = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long_modules == [] and long_functions == []


def test_the_architecture_document_names_every_stage() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 70, "ARCHITECTURE.md is meant to fit on one screen or so"
    for name in ORDER:
        if (PACKAGE / name).is_dir():
            assert f"evsynth/{name}/" in text, name
