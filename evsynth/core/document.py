"""A parsed study file before validation: plain data and where each piece was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]  # a place in the data: ("population", 0, "patients")
Pos = tuple[int, int]  # (line, column), 1-based


@dataclass
class Document:
    """Plain data (dicts, lists, str, int, float, bool, None) and where each piece was written."""

    path: str
    data: Any
    positions: dict[Path, Pos] = field(default_factory=dict)
    key_positions: dict[Path, Pos] = field(default_factory=dict)

    def pos(self, path: Path, key: bool = False) -> Pos:
        """The position of the value at `path` (or of its key), else of its nearest ancestor."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        if key and p in table:
            return table[p]
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))
