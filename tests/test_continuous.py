"""Continuous pooling (MN, MC) agrees with R's metafor; hypothesis properties of the pooled value."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from typing import cast

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from evsynth.synthesis.continuous import (
    ASSUMED_R,
    ContinuousStudy,
    StudyChange,
    StudyMean,
    change_sensitivity,
    pool_changes,
    pool_continuous,
    pool_means,
)
from evsynth.synthesis.pool import CiMethod, Tau2Method

META = FIXTURES / "metafor"
KEYS = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q")


def _num(text: str) -> float | None:
    return None if text.strip() in ("", "NA") else float(text)


def datasets() -> dict[str, list[ContinuousStudy]]:
    out: dict[str, list[ContinuousStudy]] = defaultdict(list)
    with open(META / "datasets_continuous.csv") as fh:
        for row in csv.DictReader(fh):
            n = int(row["n"])
            if row["measure"] == "MN":
                out[row["dataset"]].append(StudyMean(row["study"], float(row["mean"]), float(row["sd"]), n))
            else:
                pre, sd_pre = float(row["mean_pre"]), float(row["sd_pre"])
                post, sd_post = float(row["mean_post"]), float(row["sd_post"])
                out[row["dataset"]].append(StudyChange(row["study"], pre, sd_pre, post, sd_post, n, _num(row["r"])))
    return out


def references() -> list[dict[str, str]]:
    with open(META / "reference_continuous.csv") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


REFS = references()
DATA = datasets()


def _ours(ref: dict[str, str]) -> dict[str, float]:
    r = _num(ref["assumed_r"])
    tau2, ci = cast(Tau2Method, ref["tau2_method"]), cast(CiMethod, ref["ci_method"])
    got = pool_continuous(DATA[ref["dataset"]], tau2, ci, assumed_r=ASSUMED_R if r is None else r)
    assert got.measure == ref["measure"] and got.k == int(ref["k"])
    assert got.assumed_r == r
    return {key: float(getattr(got, key)) for key in KEYS}


def test_reference_fixture_covers_both_measures_and_edge_cases() -> None:
    names = {(r["measure"], r["dataset"]) for r in REFS}
    assert {("MN", "mn-two"), ("MN", "mn-tau0"), ("MC", "mc-two"), ("MC", "mc-tau0"), ("MC", "mc-worse")} <= names
    assert {r["assumed_r"] for r in REFS if r["dataset"] == "change-missing-r"} == {"0.2", "0.5", "0.8"}
    assert all(float(r["tau2"]) == 0 for r in REFS if r["dataset"].endswith("tau0"))


@pytest.mark.parametrize(
    "ref", REFS, ids=lambda r: f"{r['measure']}-{r['dataset']}-r{r['assumed_r']}-{r['tau2_method']}-{r['ci_method']}"
)
def test_agrees_with_metafor(ref: dict[str, str]) -> None:
    got = _ours(ref)
    for key in KEYS:
        assert got[key] == pytest.approx(float(ref[key]), abs=1e-6), key


def test_largest_difference_from_metafor_is_below_1e_6() -> None:
    worst = max(abs(_ours(ref)[key] - float(ref[key])) for ref in REFS for key in KEYS)
    assert worst < 1e-6


def test_sensitivity_returns_one_pooled_result_per_assumed_r() -> None:
    studies = [s for s in DATA["change-missing-r"] if isinstance(s, StudyChange)]
    by_r = change_sensitivity(studies)
    assert sorted(by_r) == [0.2, 0.5, 0.8]
    assert by_r[0.5] == pool_changes(studies)
    assert any("r = 0.5 assumed" in c for c in by_r[0.5].cautions)
    # a higher r makes each change more precise (smaller vi), so the HKSJ interval cannot stay the same
    assert len({p.ci_high - p.ci_low for p in by_r.values()}) == 3


def test_mean_change_is_before_minus_after() -> None:
    yi, vi = StudyChange("x", 7.0, 2.0, 3.0, 1.0, 25, 0.5).effect()
    assert yi == 4.0  # pain fell by 4: positive
    assert vi == pytest.approx((4 + 1 - 2 * 0.5 * 2 * 1) / 25)
    assert StudyMean("x", 3.0, 2.0, 16).effect() == (3.0, 0.25)


def test_a_study_without_positive_variance_is_refused() -> None:
    with pytest.raises(ValueError):
        pool_changes([StudyChange("x", 7, 2, 3, 2, 10, 1.0), StudyChange("y", 7, 2, 3, 2, 10, 0.5)])
    with pytest.raises(ValueError):
        pool_continuous([StudyMean("x", 3, 2, 10), StudyChange("y", 7, 2, 3, 2, 10, 0.5)])


def test_one_study_is_its_own_value() -> None:
    got = pool_means([StudyMean("only", 3.2, 2.0, 25)])
    assert (got.k, got.estimate, got.pi_low, got.tau2) == (1, 3.2, None, 0.0)
    assert (got.ci_low, got.ci_high) == pytest.approx((3.2 - 1.959964 * 0.4, 3.2 + 1.959964 * 0.4), abs=1e-6)
    assert any("single study" in c for c in got.cautions)


means = st.lists(
    st.builds(
        StudyMean,
        st.just("s"),
        st.floats(0, 10, allow_nan=False),
        st.floats(0.2, 4, allow_nan=False),
        st.integers(2, 300),
    ),
    min_size=2,
    max_size=10,
).map(lambda rows: [StudyMean(f"s{i}", s.mean, s.sd, s.n) for i, s in enumerate(rows)])

changes = st.lists(
    st.tuples(
        st.floats(0, 10),
        st.floats(0.2, 4),
        st.floats(0, 10),
        st.floats(0.2, 4),
        st.integers(2, 300),
        st.one_of(st.none(), st.floats(-0.9, 0.9)),
    ),
    min_size=2,
    max_size=10,
).map(lambda rows: [StudyChange(f"s{i}", *row) for i, row in enumerate(rows)])


@settings(max_examples=150, deadline=None)
@given(means, st.randoms(use_true_random=False), st.sampled_from(["reml", "dl"]))
def test_study_order_does_not_change_the_pooled_mean(studies: list[StudyMean], rnd: object, method: str) -> None:
    shuffled = list(studies)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = pool_means(studies, method), pool_means(shuffled, method)  # type: ignore[arg-type]
    for key in ("estimate", "ci_low", "ci_high", "tau2", "q"):
        assert getattr(a, key) == pytest.approx(getattr(b, key), abs=1e-7), key


@settings(max_examples=150, deadline=None)
@given(means, st.sampled_from(["reml", "dl"]), st.sampled_from(["hksj", "wald"]))
def test_pooled_mean_lies_within_the_study_means(studies: list[StudyMean], tau2: str, ci: str) -> None:
    # a weighted average with positive weights, whatever tau² is
    got = pool_means(studies, tau2, ci)  # type: ignore[arg-type]
    means_ = [s.mean for s in studies]
    assert min(means_) - 1e-9 <= got.estimate <= max(means_) + 1e-9
    assert got.ci_low <= got.estimate <= got.ci_high
    assert got.pi_low is not None and got.pi_high is not None
    assert got.pi_low <= got.ci_low + 1e-9 and got.ci_high <= got.pi_high + 1e-9
    assert got.tau2 >= 0 and 0 <= got.i2 <= 100 and got.q >= 0


@settings(max_examples=150, deadline=None)
@given(means, st.floats(-5, 5, allow_nan=False))
def test_shifting_every_mean_shifts_the_pooled_mean(studies: list[StudyMean], shift: float) -> None:
    moved = [StudyMean(s.study, s.mean + shift, s.sd, s.n) for s in studies]
    a, b = pool_means(studies), pool_means(moved)
    assert b.estimate == pytest.approx(a.estimate + shift, abs=1e-6)
    assert b.tau2 == pytest.approx(a.tau2, abs=1e-6, rel=1e-6)


@settings(max_examples=150, deadline=None)
@given(changes)
def test_swapping_before_and_after_flips_the_sign_of_the_change(studies: list[StudyChange]) -> None:
    flipped = [StudyChange(s.study, s.mean_post, s.sd_post, s.mean_pre, s.sd_pre, s.n, s.r) for s in studies]
    a, b = pool_changes(studies), pool_changes(flipped)
    assert b.estimate == pytest.approx(-a.estimate, abs=1e-6)
    assert (b.ci_low, b.ci_high) == pytest.approx((-a.ci_high, -a.ci_low), abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(changes)
def test_identical_changes_pool_to_that_change_with_no_heterogeneity(studies: list[StudyChange]) -> None:
    same = [StudyChange(s.study, s.mean_pre, s.sd_pre, s.mean_pre - 2.5, s.sd_post, s.n, s.r) for s in studies]
    got = pool_changes(same, "dl")
    assert got.estimate == pytest.approx(2.5, abs=1e-9)
    assert got.tau2 == 0 and got.i2 == 0 and math.isclose(got.q, 0, abs_tol=1e-9)
