"""The methods page's statements of the rules, written from the constants the code applies, so
the page and the computation cannot drift apart (tests/test_synthesis.py checks both ways)."""

from __future__ import annotations

import inspect

from markupsafe import Markup

from evsynth.synthesis import grade, pool
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


def certainty() -> Markup:
    """The certainty rules, from the thresholds `evsynth.synthesis.grade` applies."""
    start = grade.LEVELS[grade.START_NON_RANDOMISED]
    return Markup(
        f"Ratings follow GRADE, one per outcome row. Evidence without randomisation starts at **{start}**; each\n"
        "serious concern lowers it one level, never below very low:\n\n"
        "- risk of bias: no comparison group (case series and case reports), outcomes assessed unblinded;\n"
        f"- inconsistency: I² above {grade.INCONSISTENT_I2:g}% across studies, or durations whose longest is over\n"
        f"  {NUMBER_WORDS.get(int(grade.DURATION_SPREAD), grade.DURATION_SPREAD)} times the shortest;\n"
        "- indirectness: studies defining the outcome differently, or a recorded way the patients or\n"
        "  outcome differ from the question;\n"
        f"- imprecision: fewer than {grade.OPTIMAL_INFORMATION_SIZE} patients (the optimal information size "
        f"for a\n  proportion) or a 95% CI wider than {100 * grade.WIDE_CI:.0f} per 100; two levels when both and "
        f"fewer than {grade.VERY_FEW}.\n\n"
        "Each downgrade is a lettered footnote on its row, with that row's numbers. The plain-language\n"
        'statements use GRADE\'s wording: very low "may ..., but the evidence is very uncertain", low "may",\n'
        'moderate "probably".'
    )
