"""Stage 1, load: read study files and BibTeX from disk and parse them, never raising on bad input."""

from __future__ import annotations

import errno
import itertools
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from pybtex import errors as pybtex_errors
from pybtex.database import Entry
from pybtex.database.input import bibtex
from pybtex.exceptions import PybtexError

from evsynth.core.budget import Deadline
from evsynth.core.limits import BIB_ENTRIES, BIB_ENTRY_CHARS
from evsynth.core.problems import Problem
from evsynth.core.studycache import StudyCache, StudyEntry
from evsynth.load.yamlio import MAX_BYTES, Document, decode_text, find_control_characters, parse_yaml

pybtex_errors.set_strict_mode(True)


@dataclass(frozen=True)
class RawFile:
    path: str  # as shown in messages (relative to the working directory when possible)
    data: bytes


def display_path(path: FsPath) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


STUDY_SUFFIX, BIB_SUFFIX = ".yaml", ".bib"
_LOOKALIKES = {STUDY_SUFFIX: (".yaml", ".yml"), BIB_SUFFIX: (".bib",)}
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}\Z")  # file names pass through paths, URLs and CI logs


def refuse_name(path: FsPath, suffix: str) -> Problem | None:
    """A study (`.yaml`) or BibTeX (`.bib`) file name the build will read, or the problem with it."""
    shown, what = display_path(path), "a study file" if suffix == STUDY_SUFFIX else "a BibTeX file"
    if path.suffix != suffix:
        return Problem(
            shown,
            1,
            1,
            "wrong-extension",
            f"{what} must end in `{suffix}` (lower case) or the "
            f"build would not read it: rename it to `{path.stem}{suffix}`",
        )
    if not _SAFE_NAME.match(path.stem):
        return Problem(
            shown,
            1,
            1,
            "bad-file-name",
            f"{what} is named with lower-case letters, digits, "
            "'.', '_' and '-' only, starting with a letter or digit: rename it (e.g. smith-2019)",
        )
    return None


def _not_regular(shown: str, mode: int) -> Problem | None:
    """Symbolic links, folders, devices and pipes are refused without reading or naming their target."""
    if stat.S_ISREG(mode):
        return None
    what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
    return Problem(
        shown,
        1,
        1,
        "not-a-regular-file",
        f"this is {what}: evidence and references must be regular files inside their folder; put the file itself here",
    )


def read_file(path: FsPath, suffix: str | None = None) -> RawFile | Problem:
    """A regular file's bytes (at most MAX_BYTES + 1 are read), or the problem that stopped it.

    With `suffix`, the name must also be a safe `.yaml` or `.bib` name (`refuse_name`).
    """
    shown = display_path(path)
    refused = refuse_name(path, suffix) if suffix else None
    try:
        refused = refused or _not_regular(shown, os.lstat(path).st_mode)
        if refused:
            return refused
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            return _not_regular(shown, os.fstat(fd).st_mode) or RawFile(shown, fh.read(MAX_BYTES + 1))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link between lstat and open
            return _not_regular(shown, stat.S_IFLNK) or Problem(shown, 0, 0, "unreadable", "cannot read the file")
        return Problem(shown, 0, 0, "unreadable", f"cannot read the file: {exc.strerror or exc}")


def read_files(paths: Iterable[FsPath], suffix: str | None = None) -> tuple[list[RawFile], list[Problem]]:
    files: list[RawFile] = []
    problems: list[Problem] = []
    for p in paths:
        got = read_file(p, suffix)
        if isinstance(got, Problem):
            problems.append(got)
        else:
            files.append(got)
    return files, problems


def folder_problem(folder: FsPath) -> Problem | None:
    """An evidence or references folder that is a symbolic link is refused (a pull request can commit
    one pointing anywhere); nothing of its target is read or shown."""
    if folder.is_symlink():
        return Problem(
            display_path(folder),
            1,
            1,
            "not-a-regular-file",
            "this folder is a symbolic link: "
            "evidence and references must be real folders in the repository; replace the link",
        )
    return None


def _candidates(folder: FsPath, suffix: str) -> list[FsPath]:
    """Every entry of `folder` (hidden ones too) whose extension looks like `suffix` in any case;
    nothing from a folder that is a link."""
    if folder.is_symlink():
        return []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(folder / n for n in names if FsPath(n).suffix.lower() in _LOOKALIKES[suffix])


def study_paths(evidence_dir: FsPath) -> list[FsPath]:
    """Every would-be study file directly in the evidence folder, in name order: `*.yaml`, and the
    `.yml`, `.YAML`, links and folders that `read_files(..., STUDY_SUFFIX)` refuses instead of ignoring."""
    return _candidates(evidence_dir, STUDY_SUFFIX)


def bib_paths(references_dir: FsPath) -> list[FsPath]:
    return _candidates(references_dir, BIB_SUFFIX)


def load_studies(
    files: Sequence[RawFile], deadline: Deadline | None = None, cache: StudyCache | None = None
) -> tuple[list[Document], list[Problem]]:
    """Parse every study file (those `cache` holds are read back instead)."""
    docs, problems = [], []
    deadline = deadline or Deadline(len(files))
    if cache is not None:
        data = {f.path: f.data for f in files}
        cache.parse = lambda path: parse_yaml(path, data[path])[0]
    for i, f in enumerate(files):
        if deadline.over():
            problems.append(deadline.problem(f.path, len(files) - i))
            break
        entry = cache.parsed(f.path) if cache is not None else None
        doc, found = (entry.doc, list(entry.problems)) if entry is not None else parse_yaml(f.path, f.data)
        problems += found
        if doc is not None and not any(p.is_error for p in found):
            docs.append(doc)
            if cache is not None and entry is None:
                cache.made[cache.keys[f.path]] = StudyEntry(doc, found)
    return docs, problems


@dataclass
class Bibliography:
    entries: dict[str, Entry] = field(default_factory=dict)
    where: dict[str, tuple[str, int]] = field(default_factory=dict)

    def label(self, key: str) -> str:
        """'Chiras 2004': the first author's surname and the year."""
        entry = self.entries[key]
        persons = entry.persons.get("author", [])
        name = " ".join(persons[0].last_names) if persons else entry.fields.get("title", key)
        name = re.sub(r"[{}\\]", "", str(name))
        return f"{name} {entry.fields.get('year', 'n.d.')}".strip()


_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)


def load_bibliography(files: Iterable[RawFile], cache: StudyCache | None = None) -> tuple[Bibliography, list[Problem]]:
    """Parse every BibTeX file entry by entry, so one bad entry does not hide the others (a file
    `cache` holds is read back); then the files together: a key defined in two is reported."""
    bib, problems = Bibliography(), []
    for f in files:
        key = cache.keys.get(f.path) if cache is not None else None
        part: tuple[Bibliography, list[Problem]] | None = cache.bibs.get(key) if cache and key else None
        if part is None:
            part = _parse_bib_file(f)
            if cache is not None and key is not None:
                cache.bibs_made[key] = part
        problems += part[1] + _merge(bib, part[0])
    return bib, problems


def _parse_bib_file(f: RawFile) -> tuple[Bibliography, list[Problem]]:
    bib = Bibliography()
    text, problems = decode_text(f.path, f.data)
    if text is not None:
        problems += _parse_bib_text(f.path, text, bib)
    return bib, problems


def _merge(bib: Bibliography, part: Bibliography) -> list[Problem]:
    """Add the entries of one file to `bib`; a key already there is reported where it is defined again."""
    problems = []
    for key, entry in part.entries.items():
        if key in bib.entries:
            problems.append(_duplicate(key, part.where[key], bib.where[key]))
            continue
        bib.entries[key] = entry
        bib.where[key] = part.where[key]
    return problems


def _duplicate(key: str, where: tuple[str, int], first: tuple[str, int]) -> Problem:
    return Problem(
        where[0],
        where[1],
        1,
        "bib-duplicate-key",
        f"entry `{key}` is defined twice (first at {first[0]}:{first[1]}): merge them or rename one",
    )


def _parse_bib_text(path: str, text: str, bib: Bibliography) -> list[Problem]:
    """Entry by entry; time linear in the text (line numbers counted once, left to right)."""
    problems = find_control_characters(path, text)
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    if len(starts) > BIB_ENTRIES:
        line = text.count("\n", 0, starts[BIB_ENTRIES]) + 1
        return problems + [
            Problem(path, line, 1, "too-many-items", f"more than {BIB_ENTRIES:,} entries in one BibTeX file: split it")
        ]
    line, previous = 1, 0
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        line += text.count("\n", previous, begin)
        previous = begin
        problems += _parse_entry(path, line, text[begin:end], bib)
    return problems


def _parse_entry(path: str, line: int, chunk: str, bib: Bibliography) -> list[Problem]:
    size = sum(map(len, chunk.split()))  # blank lines cost the parser little; text costs it a lot
    if size > BIB_ENTRY_CHARS:
        return [
            Problem(
                path,
                line,
                1,
                "value-too-long",
                f"a BibTeX entry of {size:,} characters; at most "
                f"{BIB_ENTRY_CHARS:,}: keep the reference itself (authors, title, journal, year)",
            )
        ]
    refused = _unsafe_bibtex(path, line, chunk)
    if refused:
        return refused
    try:
        data = bibtex.Parser().parse_string(chunk)
    except PybtexError as exc:
        return [_bib_problem(path, line, chunk, exc)]
    except Exception as exc:  # pybtex on odd input (LaTeX, names): a problem with the entry, never a crash
        return [
            Problem(
                path,
                line,
                1,
                "bib-syntax",
                f"BibTeX this reader cannot parse ({type(exc).__name__}): simplify the entry",
            )
        ]
    problems = []
    for key, entry in data.entries.items():
        if key in bib.entries:
            problems.append(_duplicate(key, (path, line), bib.where[key]))
            continue
        bib.entries[key] = entry
        bib.where[key] = (path, line)
    return problems


_MACRO = re.compile(r"@[ \t]*(string|preamble)[ \t]*[{(]", re.IGNORECASE)
# TeX that reads or writes files, runs commands or redefines TeX: never in a reference, and it would be
# live for whoever compiles the downloaded references.bib.
_UNSAFE_TEX = re.compile(
    r"\\(write|input|include|immediate|openin|openout|read|csname|catcode|def|edef|gdef|"
    r"xdef|let|newcommand|renewcommand|providecommand|special|directlua|usepackage|"
    r"documentclass|expandafter|loop|jobname|endinput)(?![A-Za-z])"
)
UNSAFE_TEX = _UNSAFE_TEX  # the reference-manager imports (`build.py new --ris`) refuse the same commands


def _unsafe_bibtex(path: str, line: int, chunk: str) -> list[Problem]:
    """`@string` and `@preamble` (macros that expand, doubling, to gigabytes) and TeX primitives that
    touch files or redefine TeX are refused before pybtex sees the entry."""
    out = []
    for m in _MACRO.finditer(chunk):
        out.append(
            Problem(
                path,
                line + chunk.count("\n", 0, m.start()),
                1,
                "bib-macro",
                f"@{m.group(1).lower()} is not used here: write every field out in full",
            )
        )
    for m in _UNSAFE_TEX.finditer(chunk):
        out.append(
            Problem(
                path,
                line + chunk.count("\n", 0, m.start()),
                1,
                "bib-unsafe-tex",
                f"TeX command \\{m.group(1)} has no place in a reference: write the text plainly",
            )
        )
    return out[:20]


def _bib_problem(path: str, line: int, chunk: str, exc: PybtexError) -> Problem:
    lineno = getattr(exc, "lineno", None)
    message = str(exc).split(":", 1)[-1].strip() if lineno else str(exc)
    field_match = re.search(r"duplicate (\S+) field", str(exc))
    if field_match:
        # each `\s*` starts after a distinct occurrence of the name and stops at the next non-space,
        # so the spans it scans do not overlap: linear in the entry
        name = re.escape(field_match.group(1))
        hits = re.finditer(rf"(?<![\w-]){name}\s*=", chunk, re.IGNORECASE)
        second = next(itertools.islice(hits, 1, None), None)
        lineno = chunk.count("\n", 0, second.start()) + 1 if second else lineno
        return Problem(path, line + (lineno or 1) - 1, 1, "bib-duplicate-field", f"{message}: keep one value")
    if "premature end of file" in str(exc):
        return Problem(path, line, 1, "bib-syntax", "BibTeX: this entry is never closed: add the missing `}`")
    return Problem(path, line + (lineno or 1) - 1, 1, "bib-syntax", f"BibTeX: {message}")


def read_static_pages(folder: FsPath) -> dict[str, str]:
    """The hand-written Markdown pages (site_src/pages) by path, for the PDF that prints them too."""
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.md"))}
