"""The time budget of one check, shared by load and validate."""

from __future__ import annotations

import time

from evsynth.core.limits import CHECK_SECONDS, CHECK_SECONDS_PER_FILE
from evsynth.core.problems import Problem


class Deadline:
    """The time budget of one check: CHECK_SECONDS plus CHECK_SECONDS_PER_FILE for each file."""

    def __init__(self, files: int, seconds: float | None = None):
        self.limit = seconds if seconds is not None else CHECK_SECONDS + CHECK_SECONDS_PER_FILE * files
        self.start = time.perf_counter()

    def over(self) -> bool:
        return time.perf_counter() - self.start > self.limit

    def problem(self, path: str, left: int) -> Problem:
        return Problem(
            path,
            1,
            1,
            "too-slow",
            f"check stopped here after its budget of {self.limit:.0f} s; "
            f"{left:,} file(s) from this one on were not checked: look for a pathological file "
            "(and report it: every check should take milliseconds)",
        )
