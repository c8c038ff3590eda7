"""A strict, safe YAML reader that remembers where every value was written.

Study files come from strangers' pull requests, so the reader accepts a small, explicit
subset of YAML and reports everything else as a Problem instead of guessing:

* no tags (``!!python/object`` is never constructed), anchors or aliases (no alias bombs);
* duplicate keys are errors (PyYAML silently keeps the last one);
* plain scalars are read with YAML 1.2 core rules, and the ones YAML 1.1 reads
  differently (``no``, ``on``, ``1e3``, ``012``, ``1:20``) must be quoted or rewritten;
  dates stay text; NaN, infinities (``.inf``, ``1.0e999``) and integers beyond 2**53 are refused;
* tabs in indentation, non-UTF-8 bytes, empty files, huge files, deep nesting, huge lists or
  mappings and too many values are reported with their line (limits in `evsynth.limits`);
* reading costs time linear in the file's size: no pattern here can backtrack.

Parsing uses libyaml's event stream (C) when available.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from evsynth.core.document import Document, Path, Pos
from evsynth.core.limits import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_ITEMS,
    MAX_KEYS,
    MAX_NODES,
    MAX_NUMBER_TEXT,
    MAX_SCALAR,
)
from evsynth.core.problems import Problem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_SCALAR",
    "Document",
    "decode_text",
    "find_bad_characters",
    "find_control_characters",
    "parse_yaml",
]


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Every pattern below is tried only on plain values of at most MAX_NUMBER_TEXT characters, and none
# can backtrack more than a few steps (each repetition is followed by a character it cannot match),
# so reading a value costs time linear in its length whatever it holds.
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_AMBIGUOUS = [
    (
        re.compile(r"(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)\Z"),
        "YAML 1.1 reads it as true/false and YAML 1.2 as text: write true/false, or quote the text",
    ),
    (
        re.compile(r"[-+]?[0-9]+[eE][-+]?[0-9]+\Z"),
        "YAML readers disagree whether this is a number: write it out (1000) or quote it",
    ),
    (
        re.compile(r"[-+]?0[0-9_]+\Z|[-+]?0[xXoObB][0-9a-fA-F_]+\Z|[-+]?[0-9]+_[0-9_]*\Z"),
        "YAML 1.1 reads this as an octal, hexadecimal or underscored number: write a plain number or quote it",
    ),
    (
        re.compile(r"[-+]?[0-9]+(:[0-5]?[0-9])+(\.[0-9]*)?\Z"),
        "YAML 1.1 reads this as a base-60 number: quote it if it is text (a ratio or a time)",
    ),
]
_NONFINITE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z|\.(nan|NaN|NAN)\Z")
_NUMBER_CHARS = re.compile(r"[-+]?[0-9.][-+0-9._:eE]*\Z")  # a plain value YAML 1.1 might read as a number


class _Stop(Exception):
    """Raised inside the builder when the file cannot be read any further."""


class _Builder:
    def __init__(self, path: str, events: Iterator[Any]):
        self.path = path
        self.events = events
        self.doc = Document(path, None)
        self.problems: list[Problem] = []
        self.nodes = 0

    def problem(self, pos: Pos, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], code, message))

    def stop(self, pos: Pos, code: str, message: str) -> _Stop:
        self.problem(pos, code, message)
        return _Stop()

    def build(self) -> Document:
        documents = 0
        for ev in self.events:
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.stop(
                        _pos(ev),
                        "yaml-multiple-documents",
                        "a study file holds one YAML document: remove the second `---`",
                    )
                self.doc.data = self.node(next(self.events), (), 0)
        return self.doc

    def node(self, ev: Any, path: Path, depth: int) -> Any:
        pos = _pos(ev)
        self.doc.positions[path] = pos
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.stop(
                pos,
                "too-many-values",
                f"more than {MAX_NODES:,} values in one file; a study needs far fewer: split or trim it",
            )
        if depth > MAX_DEPTH:
            raise self.stop(pos, "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels: flatten the structure")
        if isinstance(ev, yaml.AliasEvent):
            raise self.stop(pos, "yaml-alias", f"alias *{ev.anchor} is not allowed: write the value out in full")
        if getattr(ev, "anchor", None):
            self.problem(pos, "yaml-anchor", f"anchor &{ev.anchor} is not allowed: remove it")
        tag = getattr(ev, "tag", None)
        if tag is not None and tag != "!":
            raise self.stop(pos, "yaml-tag", f"tag {tag!r} is not allowed (tags are never executed): remove it")
        if isinstance(ev, yaml.ScalarEvent):
            return self.scalar(ev, pos)
        if isinstance(ev, yaml.SequenceStartEvent):
            return self.sequence(path, depth)
        if isinstance(ev, yaml.MappingStartEvent):
            return self.mapping(path, depth)
        raise self.stop(pos, "yaml-syntax", f"unexpected {type(ev).__name__}")

    def sequence(self, path: Path, depth: int) -> list[Any]:
        items: list[Any] = []
        for ev in self.events:
            if isinstance(ev, yaml.SequenceEndEvent):
                return items
            if len(items) == MAX_ITEMS:
                raise self.stop(
                    self.doc.pos(path),
                    "too-many-items",
                    f"a list of more than {MAX_ITEMS:,} items; no field needs so many: trim it",
                )
            items.append(self.node(ev, path + (len(items),), depth + 1))
        raise _Stop()

    def mapping(self, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ev in self.events:
            if isinstance(ev, yaml.MappingEndEvent):
                return out
            pos = _pos(ev)
            if not isinstance(ev, yaml.ScalarEvent) or getattr(ev, "anchor", None) or ev.tag not in (None, "!"):
                raise self.stop(pos, "yaml-complex-key", "a key must be plain text")
            key = ev.value
            if len(out) == MAX_KEYS:
                raise self.stop(
                    self.doc.pos(path),
                    "too-many-items",
                    f"a mapping of more than {MAX_KEYS:,} keys; no field needs so many: trim it",
                )
            if key in out:
                first = self.doc.key_positions[path + (key,)][0]
                self.problem(
                    pos,
                    "duplicate-key",
                    f"key `{key}` appears twice (first on line {first}): keep one, merge the values",
                )
                self.node(next(self.events), ("<duplicate>",) + path + (key,), depth + 1)
                continue
            self.doc.key_positions[path + (key,)] = pos
            out[key] = self.node(next(self.events), path + (key,), depth + 1)
        raise _Stop()

    def scalar(self, ev: Any, pos: Pos) -> Any:
        text: str = ev.value
        hidden = _CONTROL.search(text.replace("\n", "").replace("\t", ""))
        if hidden:  # written as an escape ("\u202E"), so the raw-text scan could not see it
            self.problem(
                pos,
                "control-character",
                f"invisible character U+{ord(hidden.group()):04X} "
                "(control or text-direction) in this value: delete it; write the text plainly",
            )
        if len(text) > MAX_SCALAR:
            self.problem(pos, "value-too-long", f"a value of {len(text)} characters (limit {MAX_SCALAR}): shorten it")
            return text[:MAX_SCALAR]
        if ev.style or not ev.implicit[0]:
            return text  # quoted or block text is always a string
        return self.resolve_plain(text, pos)

    def resolve_plain(self, text: str, pos: Pos) -> Any:
        if text in _NULL:
            return None
        if text in _BOOL:
            return _BOOL[text]
        if len(text) > MAX_NUMBER_TEXT:
            if _NUMBER_CHARS.match(text):
                self.problem(
                    pos,
                    "yaml-ambiguous",
                    f"a plain value of {len(text):,} digits and signs: no "
                    f"number needs more than {MAX_NUMBER_TEXT}; quote it if it is text",
                )
            return text
        if _INT.match(text):
            return self.integer(text, pos)
        if _FLOAT.match(text):
            return self.real(text, pos)
        if _NONFINITE.match(text):
            self.problem(pos, "non-finite-number", f"{text!r} is not a finite number: give the value as printed")
            return text
        for pattern, why in _AMBIGUOUS:
            if pattern.match(text):
                self.problem(pos, "yaml-ambiguous", f"plain value {text!r}: {why}")
                return text
        return text

    def integer(self, text: str, pos: Pos) -> int | str:
        number = int(text)
        if abs(number) > MAX_INTEGER:
            self.problem(
                pos,
                "out-of-range",
                f"{text} is too large for any field (at most {MAX_INTEGER:,}): give the value as printed",
            )
            return text
        return number

    def real(self, text: str, pos: Pos) -> float | str:
        number = float(text)  # '1.0e999' is read as infinity: refuse it like .inf
        if not math.isfinite(number):
            self.problem(pos, "non-finite-number", f"{text!r} is not a finite number: give the value as printed")
            return text
        return number


def _pos(ev: Any) -> Pos:
    mark = ev.start_mark
    return (mark.line + 1, mark.column + 1)


def decode_text(path: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of a file, or the problems that stop it being read (size, encoding, tabs)."""
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(
                path,
                1,
                1,
                "file-too-large",
                f"{len(raw):,} bytes; a study file is at most {MAX_BYTES:,}: split or trim it",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(path, line, col, "not-utf8", f"byte 0x{raw[exc.start]:02x} is not UTF-8: save the file as UTF-8")
        ]
    return text.removeprefix("\ufeff"), []


_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _located(
    path: str, text: str, matches: Iterator[re.Match[str]], code: str, message: Callable[[str], str]
) -> list[Problem]:
    """A problem at the last character of each match (newlines counted once, left to right)."""
    out, line, line_start, counted = [], 1, 0, 0
    for m in matches:
        at = m.end() - 1
        newlines = text.count("\n", counted, at)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, at) + 1
        counted = at
        out.append(Problem(path, line, at - line_start + 1, code, message(m.group()[-1])))
    return out


_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)  # ` *` stops at the first other character: linear


def find_control_characters(path: str, text: str) -> list[Problem]:
    """Control characters and bidirectional overrides, with their place (YAML and BibTeX alike)."""
    return _located(
        path,
        text,
        _CONTROL.finditer(text),
        "control-character",
        lambda c: f"invisible character U+{ord(c):04X} (control or text-direction): delete it; write the text plainly",
    )


def find_bad_characters(path: str, text: str) -> list[Problem]:
    """Tabs in indentation, control characters and bidirectional overrides, with their place."""
    tabs = _located(
        path, text, _TAB_INDENT.finditer(text), "tab-indent", lambda _: "tab in indentation: indent with spaces"
    )
    return sorted(tabs + find_control_characters(path, text))


def parse_yaml(path: str, raw: bytes) -> tuple[Document | None, list[Problem]]:
    """Bytes of a YAML file -> (Document, problems). Never raises on bad input."""
    text, problems = decode_text(path, raw)
    if text is None:
        return None, problems
    problems = find_bad_characters(path, text)
    if problems:
        return None, problems
    loader = _Loader(text)
    builder = _Builder(path, iter(loader.get_event, None))  # libyaml's events, with no generator between
    try:
        doc = builder.build()
    except _Stop:
        return None, builder.problems
    except yaml.YAMLError as exc:
        return None, builder.problems + [_yaml_error(path, exc)]
    except RecursionError:
        return None, [Problem(path, 1, 1, "yaml-too-deep", "nesting too deep to read: flatten the structure")]
    if doc.data is None and not builder.problems:
        builder.problems.append(Problem(path, 1, 1, "empty-file", "the file holds no data: fill it in or delete it"))
    return (None if doc.data is None else doc), builder.problems


def _yaml_error(path: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    text = f"{context}, {what}" if context else str(what)
    return Problem(path, line, col, "yaml-syntax", f"YAML syntax: {text}")
