"""A content-addressed memo of rendered text (pages, figures): pure, no disk.

An entry's key is the hash of everything its text is made from: the build's `salt` (the code, the
templates, the vocabulary: `evsynth/load/cache.py` computes it), what is being made (a template and
a path, a figure's name) and a `fingerprint` of every value it reads. A key therefore names one
text for ever; nothing is ever invalidated, only left unused (and pruned when the memo is saved).
The load stage reads the entries from disk and publish writes them back; `serve` keeps one in memory.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import pickle
import types
from collections.abc import Callable, Iterable
from typing import Any


def _feed(update: Callable[[bytes], None], obj: Any, ids: dict[int, tuple[Any, bytes]]) -> None:
    """Feed a canonical encoding of `obj` into a hash: types, then contents, recursively."""
    if isinstance(obj, str):
        data = obj.encode("utf-8", "surrogatepass")
        update(f"{type(obj).__name__}:{len(data)}:".encode() + data)
        return
    if obj is None or isinstance(obj, (bool, int, float, complex, bytes)):
        update(f"{type(obj).__name__}:{len(repr(obj))}:".encode() + repr(obj).encode())
        return
    cached = ids.get(id(obj))
    if cached is not None and cached[0] is obj:
        update(cached[1])
        return
    if isinstance(obj, (list, tuple)):
        update(f"{type(obj).__name__}[{len(obj)}".encode())
        for x in obj:
            _feed(update, x, ids)
        update(b"]")
    elif isinstance(obj, dict):
        update(f"{type(obj).__name__}{{{len(obj)}".encode())
        for k, v in obj.items():
            _feed(update, k, ids)
            _feed(update, v, ids)
        update(b"}")
    elif isinstance(obj, (set, frozenset)):
        update(b"set" + "".join(sorted(fingerprint(x, ids) for x in obj)).encode())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        ids[id(obj)] = (obj, b"dc" + fingerprint_fields(obj, ids).encode())  # shared records: hash once
        update(ids[id(obj)][1])
    else:
        _feed_other(update, obj, ids)


def fingerprint_fields(obj: Any, ids: dict[int, tuple[Any, bytes]]) -> str:
    h = hashlib.sha256(type(obj).__qualname__.encode())
    for f in dataclasses.fields(obj):
        _feed(h.update, f.name, ids)
        _feed(h.update, getattr(obj, f.name), ids)
    return h.hexdigest()


def _feed_other(update: Callable[[bytes], None], obj: Any, ids: dict[int, tuple[Any, bytes]]) -> None:
    """Enums, dates, code (named only: the code is in the salt), frames and arrays (pickled), objects."""
    name = type(obj).__module__ + "." + type(obj).__qualname__
    if isinstance(obj, (enum.Enum, datetime.date, datetime.time, datetime.timedelta)):
        update(f"{name}:{obj!r}".encode())
    elif isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type)):
        update(f"code:{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', obj.__name__)}".encode())
    elif type(obj).__module__.split(".")[0] in ("pandas", "numpy"):  # shared frames: hashed once
        ids[id(obj)] = (obj, name.encode() + _table_digest(obj, ids))
        update(ids[id(obj)][1])
    elif hasattr(obj, "__dict__") or hasattr(obj, "__slots__"):  # shared objects (the vocabulary): hashed once
        slots = [s for c in type(obj).__mro__ for s in getattr(c, "__slots__", ())]
        state = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
        state |= {s: getattr(obj, s) for s in slots if hasattr(obj, s)}
        ids[id(obj)] = (obj, name.encode() + fingerprint(state, ids).encode())
        update(ids[id(obj)][1])
    else:  # anything else: its pickle, which holds all of it
        update(name.encode() + hashlib.sha256(pickle.dumps(obj, protocol=5)).digest())


def _table_digest(obj: Any, ids: dict[int, tuple[Any, bytes]]) -> bytes:
    """A frame, series, index or array by content: numbers by their bytes, other cells value by value
    (a pickle of text cells differs with which cells share one string object)."""
    import numpy as np
    import pandas as pd

    h = hashlib.sha256()
    if isinstance(obj, pd.DataFrame):
        parts = [list(obj.columns), obj.index] + [obj.iloc[:, i] for i in range(obj.shape[1])]
        _feed(h.update, parts, ids)
    elif isinstance(obj, (pd.Series, pd.Index)):
        _feed(h.update, [getattr(obj, "name", None), str(obj.dtype)], ids)
        if isinstance(obj, pd.Series):
            _feed(h.update, obj.index, ids)
        _feed(h.update, obj.to_numpy() if isinstance(obj.dtype, np.dtype) else list(obj), ids)
    elif isinstance(obj, np.ndarray) and obj.dtype != object:
        h.update(f"{obj.dtype.str}{obj.shape}".encode() + np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, np.ndarray):
        _feed(h.update, [list(obj.shape), obj.ravel().tolist()], ids)
    else:  # scalars and the rest: their pickle holds all of them
        h.update(pickle.dumps(obj, protocol=5))
    return h.digest()


def fingerprint(obj: Any, ids: dict[int, tuple[Any, bytes]] | None = None) -> str:
    """A stable hash of a value's whole content (equal content, equal hash, in any process)."""
    h = hashlib.sha256()
    _feed(h.update, obj, {} if ids is None else ids)
    return h.hexdigest()


@dataclasses.dataclass
class Memo:
    """Rendered text by content key. `entries` as read from the cache; `used` the keys this build
    looked up (what a save keeps); `made` the texts this build had to render."""

    salt: str
    entries: dict[str, str] = dataclasses.field(default_factory=dict)
    used: set[str] = dataclasses.field(default_factory=set)
    made: list[str] = dataclasses.field(default_factory=list)
    ids: dict[int, tuple[Any, bytes]] = dataclasses.field(default_factory=dict, repr=False)
    # `serve`'s first pass after a change: only what `first` names is made; the rest is the text the
    # last build gave it (`last`, by what is made), unchecked, until the full pass that follows.
    first: Callable[[str], bool] | None = None
    last: dict[str, str] = dataclasses.field(default_factory=dict, repr=False)
    deferred: list[str] = dataclasses.field(default_factory=list)

    def start(self) -> None:
        """Begin a build: nothing used or made yet; the objects of the last build are forgotten."""
        self.used, self.made, self.ids, self.deferred = set(), [], {}, []

    def known(self, named: Iterable[tuple[Any, str]]) -> None:
        """Records whose content a key already names (a Study by the key of the file and everything it
        was validated with): hashed as that key, never walked field by field, for this build."""
        for obj, key in named:
            self.ids[id(obj)] = (obj, b"known:" + key.encode())

    def key(self, what: str, inputs: dict[str, Any]) -> str:
        h = hashlib.sha256(f"{self.salt}\0{what}\0".encode())
        for name in sorted(inputs):
            h.update(name.encode() + b"=" + fingerprint(inputs[name], self.ids).encode() + b";")
        return h.hexdigest()

    def get(self, what: str, inputs: dict[str, Any], make: Callable[[], str]) -> str:
        """The text made from `inputs` (by `make`, once: later builds read it back); in a first pass,
        the last build's text of what `first` does not name."""
        if self.first is not None and not self.first(what) and what in self.last:
            self.deferred.append(what)
            return self.last[what]
        key = self.key(what, inputs)
        self.used.add(key)
        text = self.entries.get(key)
        if text is None:
            text = make()
            self.entries[key] = text
            self.made.append(what)
        self.last[what] = text
        return text

    def kept(self) -> dict[str, str]:
        """The entries this build used: what is worth saving."""
        return {k: v for k, v in self.entries.items() if k in self.used}
