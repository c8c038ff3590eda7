"""Pooling agrees with R's metafor; hypothesis properties of the pooled estimate."""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from evsynth.synthesis.pool import StudyProportion, _reml_step, pool_proportions

META = FIXTURES / "metafor"


def datasets() -> dict[str, list[StudyProportion]]:
    out: dict[str, list[StudyProportion]] = defaultdict(list)
    with open(META / "datasets.csv") as fh:
        for row in csv.DictReader(fh):
            out[row["dataset"]].append(StudyProportion(row["study"], int(row["events"]), int(row["total"])))
    return out


def references() -> list[dict[str, str]]:
    with open(META / "reference.csv") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


REFS = references()


def test_reference_fixture_covers_public_datasets_and_edge_cases() -> None:
    names = {r["dataset"] for r in REFS}
    assert {"pritz1997", "debruin2009", "zeros", "two", "homogeneous"} <= names
    assert len(REFS) == 4 * len(names)


@pytest.mark.parametrize("ref", REFS, ids=lambda r: f"{r['dataset']}-{r['tau2_method']}-{r['ci_method']}")
def test_agrees_with_metafor(ref: dict[str, str]) -> None:
    got = pool_proportions(datasets()[ref["dataset"]], ref["tau2_method"], ref["ci_method"])  # type: ignore[arg-type]
    assert got.k == int(ref["k"])
    for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q"):
        assert getattr(got, key) == pytest.approx(float(ref[key]), abs=1e-6), key


def test_exact_interval_is_clopper_pearson() -> None:
    lo, hi = StudyProportion("x", 15, 18).exact_ci()
    # Rscript -e "binom.test(15, 18)$conf.int" gives 0.5858225086 0.9642149169
    assert (lo, hi) == pytest.approx((0.5858225086, 0.9642149169), abs=1e-9)
    assert StudyProportion("x", 0, 10).exact_ci()[0] == 0.0
    assert StudyProportion("x", 10, 10).exact_ci()[1] == 1.0


def test_few_studies_and_sparse_data_are_flagged() -> None:
    pooled = pool_proportions([StudyProportion("a", 15, 18), StudyProportion("b", 14, 18)])
    assert any("only 2 studies" in c for c in pooled.cautions)
    assert any("single study" in c for c in pool_proportions([StudyProportion("a", 3, 9)]).cautions)
    assert any("sparse" in c for c in pooled.cautions)


study_lists = st.lists(st.tuples(st.integers(1, 400), st.floats(0, 1)), min_size=1, max_size=12).map(
    lambda rows: [StudyProportion(f"s{i}", round(n * f), n) for i, (n, f) in enumerate(rows)]
)


@settings(max_examples=150, deadline=None)
@given(study_lists, st.randoms(use_true_random=False))
def test_study_order_does_not_change_the_estimate(studies: list[StudyProportion], rnd: object) -> None:
    shuffled = list(studies)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = pool_proportions(studies), pool_proportions(shuffled)
    assert a.estimate == pytest.approx(b.estimate, abs=1e-9)
    assert a.tau2 == pytest.approx(b.tau2, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(1, n - 1) if n > 1 else st.just(0), st.just(n))))
def test_one_study_pools_to_itself(xn: tuple[int, int]) -> None:
    x, n = xn
    pooled = pool_proportions([StudyProportion("only", x, n)])
    assert pooled.estimate == pytest.approx(x / n, abs=1e-12)
    assert (pooled.ci_low, pooled.ci_high) == StudyProportion("only", x, n).exact_ci()
    assert pooled.tau2 == 0 and pooled.k == 1 and pooled.pi_low is None


@settings(max_examples=150, deadline=None)
@given(study_lists, st.sampled_from(["reml", "dl"]))
def test_estimate_lies_within_the_studies_range(studies: list[StudyProportion], method: str) -> None:
    pooled = pool_proportions(studies, method)  # type: ignore[arg-type]
    # with k > 1, 0% and 100% studies enter with 0.5 added to both cells (escalc's default)
    used = [
        (s.events + 0.5) / (s.total + 1) if s.events in (0, s.total) and len(studies) > 1 else s.proportion
        for s in studies
    ]
    assert min(used) - 1e-9 <= pooled.estimate <= max(used) + 1e-9
    assert pooled.ci_low <= pooled.estimate <= pooled.ci_high
    assert pooled.tau2 >= 0 and 0 <= pooled.i2 <= 100


@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(0.01, 100)), min_size=2, max_size=30))
def test_reml_step_in_closed_form_equals_the_matrix_form(pairs: list[tuple[float, float]]) -> None:
    y = np.array([a for a, _ in pairs])
    w = np.array([b for _, b in pairs])
    p = np.diag(w) - np.outer(w, w) / np.sum(w)
    py = p @ y
    matrix = float((py @ py - np.trace(p)) / np.sum(p * p))
    # weights 10,000x apart: the two orders of summation part in the 9th digit
    assert _reml_step(y, w) == pytest.approx(matrix, rel=1e-6, abs=1e-9)
