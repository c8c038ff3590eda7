"""The methods page's statements of the rules, written from the constants the code applies, so
the page and the computation cannot drift apart (tests/test_synthesis.py checks both ways)."""

from __future__ import annotations

import inspect

from markupsafe import Markup

from evsynth.synthesis import pool
from evsynth.synthesis.outcomes import REPORT_ORDER

REPORT_WORDS = {"full-text": "full text", "abstract": "abstract", "secondary-table": "another paper's table",
                "secondary-text": "its text"}  # fmt: skip
TAU2_WORDS = {"reml": "restricted maximum likelihood", "dl": "DerSimonian-Laird"}
CI_WORDS = {"hksj": "Hartung-Knapp-Sidik-Jonkman", "wald": "Wald (normal approximation)"}
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def report_order() -> Markup:
    """'full text, then abstract, then another paper's table, then its text' from REPORT_ORDER."""
    kinds = sorted((k for k in REPORT_ORDER if k in REPORT_WORDS), key=REPORT_ORDER.__getitem__)
    return Markup(", then ".join(REPORT_WORDS[k] for k in kinds))


def _default(name: str) -> str:
    return str(inspect.signature(pool.pool_proportions).parameters[name].default)


def statistics() -> Markup:
    """The statistics paragraph, from the pooling function's defaults and thresholds."""
    few = NUMBER_WORDS.get(pool.FEW_STUDIES, str(pool.FEW_STUDIES))
    return Markup(
        "Per study: the proportion with an exact (Clopper-Pearson) 95% interval. Across studies:\n"
        "random-effects meta-analysis of logit-transformed proportions, between-study variance τ² by\n"
        f"{TAU2_WORDS[_default('tau2_method')]}, 95% confidence interval by {CI_WORDS[_default('ci_method')]}, 95%\n"
        f"prediction interval, Cochran's Q and I². A study with 0% or 100% has {pool.CONTINUITY:g} added to both "
        "cells\n(as metafor's escalc). A single study is shown as its own proportion, never as a pooled value.\n"
        f"With fewer than {few} studies or fewer than {pool.FEW_PATIENTS} patients the site says so next to the "
        "number.\nThe computations agree with R's metafor to 10⁻⁶ (tested)."
    )
