"""Figures: what the forest plots show (diamonds only where something is pooled, weights, notes),
the timeline and the evidence map, on hand-made data and the fixture evidence set (never the real
evidence's counts)."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES, REFERENCES

from evsynth import pipeline
from evsynth.load.vocabulary import load_vocabularies
from evsynth.render import evidence_map, forest
from evsynth.render.forest_data import Forest, Row, Subgroup, Summary, figure_name, forests, weights
from evsynth.render.plotting import FONT, NARROW, WIDE
from evsynth.render.timeline import patient_count
from evsynth.synthesis.pool import StudyProportion, logit_effects, pool_proportions

COUNTS = [("a-2001", "Alpha 2001", 8, 10), ("b-2005", "Beta 2005", 30, 50), ("c-2010", "Gamma 2010", 12, 20)]


def _subgroup(group: str, counts: list[tuple[str, str, int, int]], window: str = "up-to-1-month") -> Subgroup:
    studies = [StudyProportion(i, e, n, label) for i, label, e, n in counts]
    p = pool_proportions(studies)
    ws = weights(logit_effects(studies)[1], p.tau2) if p.k > 1 else [None] * len(studies)
    rows = tuple(
        Row(s.study, s.label, "1 month", (f"{s.events}/{s.total}",), s.proportion, *s.exact_ci(), w, True)
        for s, w in zip(studies, ws, strict=True)
    )
    summary = None
    if p.k > 1:
        summary = Summary(p.k, sum(s.total for s in studies), p.estimate, p.ci_low, p.ci_high, p.pi_low, p.pi_high,
                          p.tau2, p.i2, p.q, p.q_p, "REML, HKSJ")  # fmt: skip
    return Subgroup(group, group.upper(), window, window.replace("-", " "), rows, summary)


def _forest() -> Forest:
    one = _subgroup("tace-tai", COUNTS[:1])
    extra = Row("d-1999", "Delta 1999", "not stated", ("11/11",), 1.0, 0.72, 1.0, None, False,
                ("Counted per embolization, not per patient: shown, not pooled.",))  # fmt: skip
    one = Subgroup(one.group, one.group_title, one.window, one.window_title, (*one.rows, extra), None)
    return Forest("pain-relief", "Pain relief", "proportion", "Pain relief: % of patients (95% CI)", ("Events/N",),
                  (_subgroup("tae", COUNTS), one))  # fmt: skip


def test_weights_sum_to_100_within_a_pooled_subgroup() -> None:
    sg = _subgroup("tae", COUNTS)
    assert sg.summary is not None and sg.summary.k == 3
    assert sum(r.weight or 0 for r in sg.rows) == pytest.approx(100)
    assert all(r.weight and r.weight > 0 for r in sg.rows)


@pytest.mark.parametrize("variant", ["wide", "narrow"])
def test_a_diamond_only_where_something_is_pooled(variant: str) -> None:
    f = _forest()
    both = forest.draw(f, variant, "Pain relief")
    assert both.count('id="diamond') == 1  # the k = 3 subgroup; the single study has none
    assert "Single study, not pooled" in both
    assert both.count('id="prediction-interval') == 1
    assert "I² = " in both and "τ² = " in both
    assert forest.draw(f.only("tace-tai"), variant, "x").count('id="diamond') == 0
    assert "Delta 1999 [a]" in both and "[a] Counted per embolization" in both


def test_forest_text_is_one_size_and_the_canvas_width_is_known() -> None:
    for variant, width in (("wide", WIDE), ("narrow", NARROW)):
        svg = forest.draw(_forest(), variant, "Pain relief")
        sizes = {float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)}
        assert sizes == {FONT}, sizes
        view = re.search(r'viewBox="0 0 ([\d.]+) ', svg)
        assert view and float(view.group(1)) == pytest.approx(width)


def test_text_alternative_reads_the_plot() -> None:
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", forest.draw(_forest(), "wide", "Pain relief"), re.S)
    assert desc
    text = desc.group(1)
    assert "Alpha 2001, 1 month, 8/10: 80 [44, 97]" in text and "Pooled" in text and "prediction interval" in text
    assert "Single study, not pooled" in text and "Delta 1999" in text and "(not pooled)" in text


@pytest.fixture(scope="module")
def fixture_build() -> pipeline.Built:
    return pipeline.build(pipeline.gather(FIXTURES / "evidence", REFERENCES))


def test_fixture_forests_have_subgroups_by_intervention_and_window(fixture_build: pipeline.Built) -> None:
    plots = {f.key: f for f in forests(fixture_build.syn, load_vocabularies().groups)}
    pain = plots["pain-relief"]
    assert [(sg.group, sg.window) for sg in pain.subgroups] == [
        ("tae", "time-not-stated"), ("pvp-tai-tace", "up-to-1-month"), ("pvp-tai-tace", "1-to-6-months")
    ]  # fmt: skip
    assert all(sg.summary is None for sg in pain.subgroups)  # one study each: nothing pooled
    figures = fixture_build.rendered.figures
    for name in (figure_name("pain-relief"), figure_name("pain-relief", "tae", "narrow"), "timeline-narrow.svg"):
        assert name in figures
    assert 'id="diamond' not in figures[figure_name("pain-relief")]
    score = next(f for f in plots.values() if f.scale == "score")
    row = score.subgroups[0].rows[0]
    assert row.data == ("7.9 (1.1)", "3.1 (1.4)", "20") and row.estimate == pytest.approx(4.8)


def test_evidence_map_links_every_bubble_and_has_a_size_legend(fixture_build: pipeline.Built) -> None:
    view = evidence_map.view(fixture_build.syn, load_vocabularies().groups, {"pain-relief": {"tae"}})
    cells = [c for row in view.rows for c in row.cells if c.k]
    assert cells and all(c.href and c.label for c in cells)
    assert view.legend and all(d >= evidence_map.MIN_DIAMETER for _, d in view.legend)
    assert next(c for row in view.rows for c in row.cells if c.k and c.outcome == "pain-relief").href.endswith(
        "#forest-pain-relief"
    )


def test_wrap_and_clip_answer_as_measuring_word_by_word_would() -> None:
    """`wrap` and `clip` measure a few guesses, not every prefix: the lines and cuts are the same."""
    from evsynth.render.plotting import clip, text_width, wrap

    def greedy(text: str, width: float, bold: bool) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            if lines and text_width(f"{lines[-1]} {word}", bold) <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines or [""]

    def cut(text: str, width: float, bold: bool) -> str:
        if text_width(text, bold) <= width:
            return text
        while text and text_width(text + "…", bold) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    note = "[a] Counted per embolization, not per patient: shown, not pooled. " * 3
    texts = ["", "x", "Supercalifragilistic", "Heterogeneity: τ² = 0.123; I² = 45%; Q = 12.34, df = 5, p < 0.01",
             note, "Ää ÅÉ —– 12/34 (95% CI)"]  # fmt: skip
    for text in texts:
        for width in (5.0, 40.0, 75.0, 150.0, NARROW, WIDE):
            for bold in (False, True):
                assert wrap(text, width, bold) == greedy(text, width, bold), (text, width)
                assert clip(text, width, bold) == cut(text, width, bold), (text, width)


def test_rows_sharing_a_note_share_its_letter() -> None:
    def row(study: str, notes: tuple[str, ...]) -> Row:
        return Row(study, study, "not stated", ("1/2",), 0.5, 0.1, 0.9, None, False, notes)

    rows = (row("a", ("Same note.", "First only.")), row("b", ("Same note.",)), row("c", ("Last.", "Same note.")))
    sg = Subgroup("pvp", "PVP", "any", "any time", rows, None)
    forest = Forest("pain-relief", "Pain relief", "proportion", "axis", ("Events/N",), (sg, sg))
    assert forest.notes == [("a", "Same note."), ("b", "First only."), ("c", "Last.")]


def test_width_bounds_hold_and_fits_and_widest_answer_as_measuring_would() -> None:
    """`width_bounds` (advances and kerning summed) brackets matplotlib's measure on random texts of
    the characters it accepts, ligatures included, so `fits` and `widest` answer as text_width would."""
    import random

    from evsynth.render.plotting import _simple, fits, text_width, widest, width_bounds

    rng = random.Random(18)
    chars = [chr(i) for i in range(0x20, 0x2300) if _simple(chr(i))] + list("ffffiill")
    texts = ["".join(rng.choice(chars) for _ in range(rng.choice([1, 2, 4, 9, 20, 45]))) for _ in range(300)]
    texts += ["Ωmega 2001", "Study 𝔸", "Tseng 2008", "effective office", "AVATAR To Yo"]
    for text in texts:
        for bold in (False, True):
            bounds, w = width_bounds(text, bold), text_width(text, bold)
            assert bounds is None or bounds[0] <= w <= bounds[1], (text, bold, w, bounds)
            for width in (w - 0.3, w, w + 0.3):
                assert fits(text, width, bold) == (w <= width), (text, width)
    column = [(t, i % 7 == 0) for i, t in enumerate(texts)]
    assert widest(column) == max(text_width(t, bold) for t, bold in column)
    assert width_bounds("Ωmega") is None and width_bounds("a\u0301") is None  # Greek, combining: measured


def test_timeline_text_alternative_counts_patients_in_words() -> None:
    assert [patient_count(n) for n in (None, 0, 1, 12)] == [
        "patients not reported",
        "patients not reported",
        "1 patient",
        "12 patients",
    ]
