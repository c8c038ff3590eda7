"""Growth, by operation counts (not time): the spots that once went findings x studies stay linear.

At n and 4n synthetic studies (`build.py synth`) the work done at each known quadratic spot is
counted; linear growth multiplies it by about 4, findings x studies by about 16. The spots:
- a finding's sensitivity (`synthesis/sensitivity`): the studies whose readings are chosen again
  (`choose_outcome`, `relief_duration`) to pool without the reading used;
- the pages (`render/pages`): the data-quality findings each page looks through for its own;
- the forest plots (`render/forest`): the rows looked through to letter the row notes (once per
  plot, not once per row).
The timeline is drawn as a stub here: it is counted by the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from evsynth import pipeline
from evsynth.render import forest, forest_data, quality_view, timeline
from evsynth.synthesis import impact, outcomes, sensitivity
from evsynth.tools.synthetic_evidence import synthesize_evidence

ROOT = Path(__file__).resolve().parent.parent
N = 25
LINEAR = 6.0  # the most 4x the studies may multiply a count by (linear: ~4; findings x studies: ~16)
T = TypeVar("T")


class Visits(list[T]):
    """A list that counts the items anyone iterates over."""

    seen = 0

    def __iter__(self) -> Iterator[T]:
        Visits.seen += len(self)
        return super().__iter__()


def counting(fn: Callable[..., Any], tally: list[int]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        tally[0] += 1
        return fn(*args, **kwargs)

    return counted


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[int, pipeline.Checked]:
    out = {}
    for n in (N, 4 * N):
        base = tmp_path_factory.mktemp(f"synth{n}")
        synthesize_evidence(n, ROOT / "evidence", ROOT / "references", base)
        out[n] = pipeline.check(base / "evidence", base / "references")
        assert len(out[n].validated.studies) == n
        assert out[n].validated.discrepancies, "no findings: nothing would be counted"
    return out


def sensitivity_work(checked: pipeline.Checked, monkeypatch: pytest.MonkeyPatch) -> int:
    """Studies whose readings are chosen again while each finding's sensitivity is worked out."""
    syn = pipeline.synthesis(checked)
    tally = [0]
    with monkeypatch.context() as m:
        for module in (sensitivity, outcomes):  # the choosing functions, wherever sensitivity calls them
            for name in ("choose_outcome", "relief_duration"):
                if hasattr(module, name):
                    m.setattr(module, name, counting(getattr(module, name), tally))
        found = impact.impacts(checked.validated.studies, checked.validated.discrepancies, syn.scores)
    assert any(i.sensitivity for i in found), "no sensitivity worked out: nothing was counted"
    return tally[0]


def page_work(checked: pipeline.Checked, monkeypatch: pytest.MonkeyPatch) -> int:
    """Data-quality findings the pages look through while the site is rendered."""
    syn, cited = pipeline.synthesis(checked), pipeline.citations(checked)
    rows = quality_view.finding_rows
    Visits.seen = 0
    with monkeypatch.context() as m:
        m.setattr(forest, "draw", lambda f, v, title: f"<svg><desc>{title}</desc></svg>")
        m.setattr(timeline, "draw", lambda *a, **k: "<svg><desc>timeline</desc></svg>")
        m.setattr(quality_view, "finding_rows", lambda *a: Visits(rows(*a)))
        pipeline.render(checked, syn, cited)
    assert Visits.seen, "no findings looked at: nothing was counted"
    return Visits.seen


def forest_work(checked: pipeline.Checked, monkeypatch: pytest.MonkeyPatch) -> int:
    """Rows looked through to letter the row notes while every forest plot is drawn."""
    plots = forest_data.forests(pipeline.synthesis(checked), checked.vocab.groups)
    notes = forest_data.Forest.notes.fget  # type: ignore[attr-defined]
    tally = [0]

    def counted(f: forest_data.Forest) -> list[tuple[str, str]]:
        tally[0] += sum(len(sg.rows) for sg in f.subgroups)
        return notes(f)  # type: ignore[no-any-return]

    with monkeypatch.context() as m:
        m.setattr(forest_data.Forest, "notes", property(counted))
        for f in plots:
            for variant in ("wide", "narrow"):
                forest.draw(f, variant, f.title)
    assert any(r.notes for f in plots for sg in f.subgroups for r in sg.rows), "no row notes: nothing was counted"
    return tally[0]


@pytest.mark.parametrize("work", [sensitivity_work, page_work, forest_work])
def test_work_at_the_former_quadratic_spots_grows_linearly(
    checked: dict[int, pipeline.Checked], monkeypatch: pytest.MonkeyPatch, work: Callable[..., int]
) -> None:
    small, large = work(checked[N], monkeypatch), work(checked[4 * N], monkeypatch)
    assert large <= LINEAR * small, f"{work.__name__}: {small} at {N} studies, {large} at {4 * N}"


def test_long_lived_stage_hands_the_heap_back_to_the_collector() -> None:
    """Stages keep their inputs out of the collector's passes (`gc.freeze`) only while they run: a
    long `serve` session would otherwise keep every earlier build's objects forever."""
    import gc

    with pipeline.long_lived():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), pipeline.long_lived():
        raise RuntimeError("a stage that fails")
    assert gc.get_freeze_count() == 0
