"""The project's own promises: README commands, CI entry point."""

from __future__ import annotations

import re

from conftest import ROOT


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S)
    commands = [line.strip() for b in blocks[:1] for line in b.splitlines() if line.strip()]
    assert commands == ["make site", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in lines
    assert all(line.startswith(("set ", "cd ", "make test", "export ")) for line in lines), lines


def test_makefile_targets_install_before_running() -> None:
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^site: \$\(STAMP\)", text, re.M)
    assert re.search(r"^test: \$\(DEV_STAMP\)", text, re.M)
    assert re.search(r"^\$\(DEV_STAMP\): \$\(STAMP\) requirements-dev.txt", text, re.M)
    assert "requirements.txt" in text


def test_the_site_does_not_install_the_test_tools() -> None:
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "mypy", "playwright", "ruff", "hypothesis"):
        assert f"\n{tool}==" not in runtime, tool
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()


def test_requirements_are_pinned() -> None:
    lines = [
        line
        for name in ("requirements.txt", "requirements-dev.txt")
        for line in (ROOT / name).read_text().splitlines()
        if line and not line.startswith(("#", "-r "))
    ]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^ ]*", line) for line in lines), lines
