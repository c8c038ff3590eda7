"""CONTRIBUTING.md and README.md checked against the code, the sqlite-utils way: every `build.py` and
`make` command their code blocks show exists (each subcommand and flag in the argparse parser of
evsynth/cli.py, each target in the Makefile), and the cheap ones run. The editor's whole path
(`git checkout -b`, `build.py new`, `check`, `check --changed`) runs in tests/test_editor_pr.py."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest
from conftest import REAL, ROOT, run_build

from evsynth.cli import parser

DOCS = ("CONTRIBUTING.md", "README.md")
CHEAP = {"check", "new", "schema", "meta"}  # run here; site, pdf and serve are run by their own tests


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


def commands(doc: str, program: str) -> list[str]:
    """Each line of a code block that runs `program` (`build.py` or `make`), without its comment,
    from the program's name on: `.venv/bin/python build.py new x` gives `build.py new x`."""
    found = []
    for block in code_blocks((ROOT / doc).read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            m = re.search(rf"(?:^|\s|&& |\(){re.escape(program)}(?=\s|$)(.*)$", line)
            if m:
                found.append(program + m.group(1).split(")", 1)[0].rstrip())
    return found


def argv(command: str) -> list[str]:
    """A documented command line as arguments: `[--json]` is given, `A|B|C` is its first choice, `...`
    and `[FILE ...]` are dropped; `build.py` itself is left out."""
    command = re.sub(r"\[([^\]]*\.\.\.)\]", "", command).replace("[", "").replace("]", "")
    words = [w.split("|")[0] for w in shlex.split(command)[1:] if w != "..."]
    return words


def subcommands() -> set[str]:
    (sub,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def documented(program: str) -> list[str]:
    return [c for doc in DOCS for c in commands(doc, program)]


def test_the_docs_show_the_commands_an_editor_needs() -> None:
    shown = {argv(c)[0] for c in documented("build.py")}
    assert {"new", "check", "serve"} <= {argv(c)[0] for c in commands("CONTRIBUTING.md", "build.py")}
    assert shown <= subcommands()
    assert {"install", "site", "test"} <= {c.split()[1] for c in documented("make")}


@pytest.mark.parametrize("command", sorted(set(documented("build.py"))))
def test_every_documented_build_command_parses(command: str) -> None:
    """argparse exits on an unknown subcommand or flag, or a value its choices refuse."""
    args = parser().parse_args(argv(command))
    assert args.command == argv(command)[0]


@pytest.mark.parametrize("command", sorted(set(documented("make"))))
def test_every_documented_make_target_exists(command: str) -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    assert set(command.split()[1:]) <= targets, command


@pytest.mark.parametrize("command", sorted({argv(c)[0] for c in documented("build.py")}))
def test_every_documented_command_has_help(command: str) -> None:
    r = run_build(command, "--help")
    assert r.returncode == 0 and f"usage: build.py {command}" in r.stdout, r.stderr


def test_the_cheap_commands_run(tmp_path: Path) -> None:
    """`check`, `schema` and `meta` as the README shows them, on the repository's evidence or a tiny file."""
    shown = {argv(c)[0]: argv(c) for c in documented("build.py") if argv(c)[0] in CHEAP - {"new"}}
    assert run_build("check", *REAL, "--errors-only").returncode == 0
    r = run_build("schema", "--output", str(tmp_path / "schema.json"))
    assert r.returncode == 0
    assert (tmp_path / "schema.json").read_text() == (ROOT / "evidence" / "study.schema.json").read_text()
    csv = tmp_path / "FILE.csv"
    csv.write_text("study,events,total\na,12,40\nb,30,61\n")
    meta = [str(csv) if w == "FILE.csv" else w for w in shown["meta"][1:]]
    r = run_build("meta", *meta)
    assert r.returncode == 0 and r.stdout.startswith("{"), r.stdout + r.stderr


def test_contributing_says_what_make_test_checks_and_how_long_it_takes() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    section = text[text.index("## What `make test` checks") :]
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\ntest:") :].split("\n\n")[0]
    for step in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert step in recipe and step in section, step
    assert re.search(r"\d+ minutes", section)
    for group in ("test_evidence.py", "test_seed.py", "test_editor_pr.py", "test_contributing.py"):
        assert group in section and (ROOT / "tests" / group).exists(), group


def test_the_extraction_finds_commands_and_refuses_unknown_flags() -> None:
    assert commands("CONTRIBUTING.md", "make")[0] == "make install"
    meta = ["meta", "FILE.csv", "--measure", "PLO", "--json"]
    assert argv("build.py meta FILE.csv --measure PLO|MN|MC [--json]") == meta
    assert argv("build.py check [FILE ...]") == ["check"]
    with pytest.raises(SystemExit):
        parser().parse_args(["check", "--no-such-flag"])
    with pytest.raises(SystemExit):
        parser().parse_args(["meta", "x.csv", "--measure", "XX"])
